package dev.backplane.redis.streams;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.hub.HubTck;
import dev.backplane.tck.BrokerControl;

/** The Redis Streams backplane against the scale-out kit: three hub nodes on a real Redis. */
class RedisStreamsHubTckTest extends HubTck {

    @Override
    protected String backplaneUri() {
        return "redis-streams://" + SharedBrokers.redis().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.redis()::stop, SharedBrokers.redis()::start);
    }
}
