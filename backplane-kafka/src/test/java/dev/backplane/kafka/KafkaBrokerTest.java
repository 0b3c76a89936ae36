package dev.backplane.kafka;

import dev.backplane.brokers.Broker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests that run against one Kafka broker per class: a subclass's {@code @BeforeAll}
 * sets {@link #broker} (from the fixture of its choice); it is closed after the class, and each
 * test gets its own {@link KafkaTestBackplanes}, closed after it.
 */
abstract class KafkaBrokerTest {

    static Broker broker;
    KafkaTestBackplanes kit;

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    @BeforeEach
    void newKit() {
        kit = new KafkaTestBackplanes(broker);
    }

    @AfterEach
    void closeKit() {
        kit.close();
    }
}
