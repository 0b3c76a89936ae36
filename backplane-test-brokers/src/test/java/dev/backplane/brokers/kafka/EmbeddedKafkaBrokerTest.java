package dev.backplane.brokers.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.fixture.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The in-JVM Kafka broker answers clients on a loopback port of its own, refuses connections once
 * stopped, comes back on the same port with what it had stored, and leaves nothing behind.
 */
class EmbeddedKafkaBrokerTest {

    @Test
    void storesStopsStartsAgainOnTheSamePortWithItsDataAndCleansUp() throws Exception {
        Path logs;
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()) {
            logs = Path.of(broker.config().get("log.dirs"));
            assertThat(broker.host()).isEqualTo("127.0.0.1");
            assertThat(broker.port()).isNotEqualTo(9092);
            assertThat(broker.controllable()).isTrue();
            int port = broker.port();
            TopicRoundTrip.create(broker.address(), "kept");
            TopicRoundTrip.produce(broker.address(), "kept", "before");

            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            assertThat(LoopbackPorts.accepting(port)).as("port %d accepts connections after stop()", port).isFalse();
            broker.stop();

            broker.start();
            assertThat(broker.port()).isEqualTo(port);
            TopicRoundTrip.produce(broker.address(), "kept", "after");
            assertThat(TopicRoundTrip.consume(broker.address(), "kept", 2)).containsExactly("before", "after");
            broker.start();
            assertThat(Files.isDirectory(logs)).isTrue();
        }
        assertThat(Files.exists(logs)).as("log directory after close()").isFalse();
    }
}
