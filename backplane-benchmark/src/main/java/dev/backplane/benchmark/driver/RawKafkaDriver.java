package dev.backplane.benchmark.driver;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The baseline for Kafka: kafka-clients with the backplane's producer settings ({@code acks=all},
 * idempotence, {@code linger.ms=1}, 5 requests in flight), the channel as the record key, one topic
 * of one partition; per node a consumer without group assigned that partition from its end,
 * polled by one thread ({@code fetch.max.wait.ms=100}, as the backplane), which keeps the records
 * of its channels.
 */
public final class RawKafkaDriver implements Driver {

    private static final String TOPIC = "raw-bench";

    private final String bootstrap;
    private boolean topicReady;

    /** @param bootstrap {@code host:port} */
    public RawKafkaDriver(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    @Override
    public String description() {
        return "raw kafka-clients producer (acks=all, linger.ms=1) / consumer";
    }

    private synchronized void ensureTopic() throws Exception {
        if (topicReady) {
            return;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            try {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        topicReady = true;
    }

    @Override
    public Publisher publisher() throws Exception {
        ensureTopic();
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 32 * 1024 * 1024,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024),
                new StringSerializer(), new ByteArraySerializer());
        return new CountingPublisher() {
            @Override
            public void send(String channel, byte[] payload) {
                sending();
                try {
                    producer.send(new ProducerRecord<>(TOPIC, channel, payload), (metadata, error) -> settled(error));
                } catch (RuntimeException e) {
                    settled(e);
                }
            }

            @Override
            public void close() {
                producer.close(Duration.ofSeconds(10));
            }
        };
    }

    @Override
    public SubscribingNode subscribe(List<String> channels, MessageSink sink) throws Exception {
        ensureTopic();
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024),
                new StringDeserializer(), new ByteArrayDeserializer());
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        consumer.assign(List.of(partition));
        consumer.seekToEnd(List.of(partition));
        consumer.position(partition, Duration.ofSeconds(30));
        Set<String> wanted = new HashSet<>(channels);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread poller = new Thread(() -> {
            try {
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        if (wanted.contains(record.key())) {
                            sink.accept(record.value());
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }, "raw-kafka-consumer");
        poller.setDaemon(true);
        poller.start();
        return () -> {
            running.set(false);
            consumer.wakeup();
            poller.join(10_000);
        };
    }

    @Override
    public void close() {
    }
}
