package dev.backplane.redis;

import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.AsyncFailures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A private Redis for each test class that stops and starts it, and failures seen on delivery threads. */
abstract class RedisBrokerTest {

    static Broker broker;
    final AsyncFailures failures = new AsyncFailures();

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
}
