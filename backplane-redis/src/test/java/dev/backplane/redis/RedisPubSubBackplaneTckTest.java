package dev.backplane.redis;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;

/** The Redis pub/sub backplane against the whole transport kit, on a real Redis. */
class RedisPubSubBackplaneTckTest extends BackplaneTck {

    @Override
    protected String backplaneUri() {
        return "redis://" + SharedBrokers.redis().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.redis()::stop, SharedBrokers.redis()::start);
    }
}
