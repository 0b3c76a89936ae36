package dev.backplane.redis.streams;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;

/** The Redis Streams backplane against the whole transport kit, on a real Redis. */
class RedisStreamsBackplaneTckTest extends BackplaneTck {

    @Override
    protected String backplaneUri() {
        return "redis-streams://" + SharedBrokers.redis().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.redis()::stop, SharedBrokers.redis()::start);
    }
}
