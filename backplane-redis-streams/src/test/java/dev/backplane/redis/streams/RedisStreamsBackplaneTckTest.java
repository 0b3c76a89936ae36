package dev.backplane.redis.streams;

import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Redis Streams backplane against the whole transport kit, on a real Redis. */
class RedisStreamsBackplaneTckTest extends BackplaneTck {

    private static Broker broker;

    @BeforeAll
    static void startRedis() {
        broker = Brokers.redis();
    }

    @AfterAll
    static void stopRedis() {
        broker.close();
    }

    @Override
    protected String backplaneUri() {
        return "redis-streams://" + broker.address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(broker::stop, broker::start);
    }
}
