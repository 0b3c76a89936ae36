package dev.backplane.kafka;

import dev.backplane.BackplaneConfigurationException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The three Kafka clients of one backplane, configured from its settings: an admin client for
 * topics and offsets, a producer, and a consumer. Creating them does not connect; a host name
 * that does not resolve is refused here.
 *
 * <p>The producer's timeouts come from {@code publishTimeout} (T): it never blocks
 * ({@code max.block.ms=0}), and a record it holds is acknowledged or failed within
 * {@code delivery.timeout.ms} = T/2, leaving the other half of T for a record that first waits for
 * its topic or for the topic's metadata, as it may right after a broker restart (see
 * {@link KafkaPublisher}).
 */
final class KafkaClients {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final int LINGER_MS = 1;

    private final Admin admin;
    private final Producer<String, byte[]> producer;
    private final Consumer<String, byte[]> consumer;
    private final Duration deliveryTimeout;

    private KafkaClients(Admin admin, Producer<String, byte[]> producer, Consumer<String, byte[]> consumer,
            Duration deliveryTimeout) {
        this.admin = admin;
        this.producer = producer;
        this.consumer = consumer;
        this.deliveryTimeout = deliveryTimeout;
    }

    /**
     * Creates the clients.
     *
     * @throws BackplaneConfigurationException if the client library refuses the configuration,
     *     e.g. because no broker host name resolves
     */
    static KafkaClients open(KafkaSettings settings) {
        String id = "backplane-" + settings.config.prefix() + "-" + SEQUENCE.incrementAndGet();
        long publishMs = Math.max(4, settings.config.publishTimeout().toMillis());
        long deliveryMs = publishMs / 2;
        Admin admin = null;
        Producer<String, byte[]> producer = null;
        try {
            admin = Admin.create(adminConfig(settings, id));
            producer = new KafkaProducer<>(producerConfig(settings, id, deliveryMs), new StringSerializer(),
                    new ByteArraySerializer());
            Consumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig(settings, id),
                    new StringDeserializer(), new ByteArrayDeserializer());
            return new KafkaClients(admin, producer, consumer, Duration.ofMillis(deliveryMs));
        } catch (KafkaException e) {
            if (producer != null) {
                producer.close(Duration.ZERO);
            }
            if (admin != null) {
                admin.close(Duration.ZERO);
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new BackplaneConfigurationException("the Kafka client refused the brokers '" + settings.brokers()
                    + "' of " + settings.config.redactedUri() + ": " + cause.getMessage()
                    + "; check the host names (they must resolve) and ports", e);
        }
    }

    Admin admin() {
        return admin;
    }

    Producer<String, byte[]> producer() {
        return producer;
    }

    Consumer<String, byte[]> consumer() {
        return consumer;
    }

    /** How long the producer holds a record before failing it. */
    Duration deliveryTimeout() {
        return deliveryTimeout;
    }

    private static Map<String, Object> common(KafkaSettings settings, String clientId) {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers);
        c.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        // Reconnect quickly once a restarted broker is back.
        c.put(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, 50);
        c.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        int connectMs = (int) Math.min(Integer.MAX_VALUE, settings.config.connectTimeout().toMillis());
        c.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, connectMs);
        c.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Math.max(connectMs, 1000));
        return c;
    }

    private static Map<String, Object> adminConfig(KafkaSettings settings, String id) {
        Map<String, Object> c = common(settings, id + "-admin");
        int connectMs = (int) Math.min(Integer.MAX_VALUE, settings.config.connectTimeout().toMillis());
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, connectMs);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, connectMs);
        c.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        return c;
    }

    private static Map<String, Object> producerConfig(KafkaSettings settings, String id, long deliveryMs) {
        Map<String, Object> c = common(settings, id + "-producer");
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // At most 5 with idempotence keeps the order of one partition across retries.
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        c.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        // Never block the caller: a full buffer or unknown metadata is reported at once.
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, deliveryMs));
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, Math.max(1, deliveryMs - LINGER_MS)));
        c.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, settings.outboxBytes);
        c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1024 * 1024, settings.maxPayload + 64 * 1024));
        // Keep the metadata of topics published to rarely, so that a publish after a quiet day does not wait for it.
        c.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, 24 * 60 * 60 * 1000);
        return c;
    }

    private static Map<String, Object> consumerConfig(KafkaSettings settings, String id) {
        Map<String, Object> c = common(settings, id + "-consumer");
        // No group: partitions are assigned by hand and positions kept in memory (broadcast, see KafkaReceiver).
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Math.max(1024 * 1024, settings.maxPayload + 64 * 1024));
        c.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        // A partition assigned while a fetch waits for data is fetched only after that fetch returns.
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        return c;
    }
}
