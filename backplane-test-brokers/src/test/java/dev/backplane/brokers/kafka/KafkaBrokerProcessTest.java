package dev.backplane.brokers.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.fixture.LoopbackPorts;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker in a child JVM answers clients on a loopback port of its own; killed with
 * SIGKILL it refuses connections at once, and started again it has everything it acknowledged.
 */
class KafkaBrokerProcessTest {

    @Test
    void keepsWhatItAcknowledgedAcrossAKillAndACleanStop() throws Exception {
        try (KafkaBrokerProcess broker = new KafkaBrokerProcess()) {
            int port = broker.port();
            assertThat(port).isNotEqualTo(9092);
            TopicRoundTrip.create(broker.address(), "kept");
            TopicRoundTrip.produce(broker.address(), "kept", "before the kill");

            broker.kill();
            assertThat(broker.isRunning()).isFalse();
            assertThat(LoopbackPorts.accepting(port)).as("port %d accepts connections after kill()", port).isFalse();

            broker.start();
            assertThat(broker.port()).isEqualTo(port);
            TopicRoundTrip.produce(broker.address(), "kept", "after the kill");
            broker.stop();
            broker.start();
            assertThat(TopicRoundTrip.consume(broker.address(), "kept", 2))
                    .containsExactly("before the kill", "after the kill");
        }
    }
}
