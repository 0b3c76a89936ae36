package dev.backplane.brokers.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.fixture.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.address()))) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            produce(broker, "before");

            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            assertThat(LoopbackPorts.accepting(port)).as("port %d accepts connections after stop()", port).isFalse();
            broker.stop();

            broker.start();
            assertThat(broker.port()).isEqualTo(port);
            produce(broker, "after");
            assertThat(consume(broker, 2)).containsExactly("before", "after");
            broker.start();
            assertThat(Files.isDirectory(logs)).isTrue();
        }
        assertThat(Files.exists(logs)).as("log directory after close()").isFalse();
    }

    private static void produce(EmbeddedKafkaBroker broker, String value) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.address(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>("kept", value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> consume(EmbeddedKafkaBroker broker, int count) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.address());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition partition = new TopicPartition("kept", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < count && System.nanoTime() < deadline) {
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }
}
