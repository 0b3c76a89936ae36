package dev.backplane.redis;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.hub.HubTck;
import dev.backplane.tck.BrokerControl;

/** The Redis pub/sub backplane against the scale-out kit: three hub nodes on a real Redis. */
class RedisPubSubHubTckTest extends HubTck {

    @Override
    protected String backplaneUri() {
        return "redis://" + SharedBrokers.redis().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.redis()::stop, SharedBrokers.redis()::start);
    }
}
