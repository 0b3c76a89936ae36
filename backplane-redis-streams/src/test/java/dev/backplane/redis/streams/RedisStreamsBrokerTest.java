package dev.backplane.redis.streams;

import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.AsyncFailures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests that run against one real Redis per class: each test gets a
 * {@link StreamsTestSupport} of its own (closed after it) and {@link #failures} rethrown after it.
 */
abstract class RedisStreamsBrokerTest {

    static Broker broker;
    final AsyncFailures failures = new AsyncFailures();
    StreamsTestSupport support;

    @BeforeAll
    static void startRedis() {
        broker = Brokers.redis();
    }

    @AfterAll
    static void stopRedis() {
        broker.close();
    }

    @BeforeEach
    void newPrefix() {
        support = new StreamsTestSupport(broker);
    }

    @AfterEach
    void closeAll() {
        support.close();
        failures.rethrow();
    }
}
