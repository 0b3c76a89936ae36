package dev.backplane.redis;

import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Redis pub/sub backplane against the whole transport kit, on a private Redis. */
class RedisPubSubBackplaneTckTest extends BackplaneTck {

    private static Broker broker;

    @BeforeAll
    static void startRedis() {
        broker = Brokers.redis();
    }

    @AfterAll
    static void stopRedis() {
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    protected String backplaneUri() {
        return "redis://" + broker.address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(broker::stop, broker::start);
    }
}
