package dev.backplane.kafka;

import dev.backplane.BackplaneConfigurationException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
 * The Kafka clients of one backplane, configured from its settings: an admin client for topics
 * and offsets, a producer, and consumers (one at a time; a new one if the receiver restarts).
 * Creating them does not connect; a host name that does not resolve is refused here. Each of them
 * gets the same security properties ({@link ClientSecurity}).
 *
 * <p>Timeouts and backoffs, from {@code publishTimeout} (T) and the wish to be back at once when a
 * broker returns:
 * <ul>
 *   <li>The producer never blocks ({@code max.block.ms=0}) and holds a record for T plus the
 *       time {@link KafkaPublisher} lets a partition go unanswered before it holds records back
 *       ({@code delivery.timeout.ms}), retrying within it. The producer counts that time from the
 *       creation of the record's batch, and while the broker is away a batch stays open for the
 *       records handed over until the publisher holds them back: so it never gives up on a record
 *       before the record's own publish timeout ran out (the outbox fails it then), nor long after.
 *       {@code request.timeout.ms} is T: a broker that is slow under load is waited for rather than
 *       disconnected, which would make the producer send everything in flight again.</li>
 *   <li>{@code reconnect.backoff.max.ms} and {@code retry.backoff.max.ms} are
 *       {@value #BACKOFF_MAX_MS} ms for every client (Kafka's defaults are 1 s): during an outage
 *       the clients try again at least that often (with Kafka's own jitter), so the first
 *       connection, metadata refresh and retried batch come that soon after the broker is back,
 *       not up to a second later.</li>
 *   <li>{@code buffer.memory} is {@code outboxBytes} plus room for the partly filled batches of
 *       {@value #BATCHES_OF_SLACK} partitions: the outbox bounds what waits for the broker, and the
 *       producer's buffer seldom refuses what the outbox let through (it may still hold records
 *       the outbox has failed); when it does, the publisher keeps the record, unsent, until there
 *       is room.</li>
 * </ul>
 */
final class KafkaClients {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final int LINGER_MS = 1;
    static final int BACKOFF_MAX_MS = 100;
    private static final int BATCH_SIZE = 16 * 1024;
    static final int BATCHES_OF_SLACK = 256;

    private final KafkaSettings settings;
    private final String id;
    private final Admin admin;
    private final Producer<String, byte[]> producer;
    private final Function<Map<String, Object>, Consumer<String, byte[]>> consumerFactory;
    private final AtomicInteger consumers = new AtomicInteger();

    private KafkaClients(KafkaSettings settings, String id, Admin admin, Producer<String, byte[]> producer,
            Function<Map<String, Object>, Consumer<String, byte[]>> consumerFactory) {
        this.settings = settings;
        this.id = id;
        this.admin = admin;
        this.producer = producer;
        this.consumerFactory = consumerFactory;
    }

    /** How the backplane makes its consumers: a {@link KafkaConsumer} of the configuration given. */
    static Consumer<String, byte[]> kafkaConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Creates the clients.
     *
     * @throws BackplaneConfigurationException if the client library refuses the configuration,
     *     e.g. because no broker host name resolves
     */
    static KafkaClients open(KafkaSettings settings,
            Function<Map<String, Object>, Consumer<String, byte[]>> consumerFactory) {
        String id = "backplane-" + settings.config.prefix() + "-" + SEQUENCE.incrementAndGet();
        Admin admin = null;
        try {
            admin = Admin.create(adminConfig(settings, id));
            Producer<String, byte[]> producer = new KafkaProducer<>(producerConfig(settings, id),
                    new StringSerializer(), new ByteArraySerializer());
            return new KafkaClients(settings, id, admin, producer, consumerFactory);
        } catch (KafkaException e) {
            if (admin != null) {
                admin.close(Duration.ZERO);
            }
            throw refused(settings, e);
        }
    }

    Admin admin() {
        return admin;
    }

    Producer<String, byte[]> producer() {
        return producer;
    }

    /** A new consumer in no group, for the receiver. */
    Consumer<String, byte[]> newConsumer() {
        try {
            return consumerFactory.apply(consumerConfig(settings, id + "-consumer-" + consumers.incrementAndGet()));
        } catch (KafkaException e) {
            throw refused(settings, e);
        }
    }

    /** Closes the producer at once (for a backplane that failed to open) and the admin client. */
    void closeNow() {
        producer.close(Duration.ZERO);
        admin.close(Duration.ZERO);
    }

    private static BackplaneConfigurationException refused(KafkaSettings settings, KafkaException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return new BackplaneConfigurationException("the Kafka client refused the brokers '" + settings.brokers()
                + "' of " + settings.config.redactedUri() + ": " + cause.getMessage()
                + "; check the host names (they must resolve), the ports and the TLS files", e);
    }

    private static Map<String, Object> common(KafkaSettings settings, String clientId) {
        Map<String, Object> c = new HashMap<>(settings.security.properties());
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers);
        c.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        // Reconnect, refresh metadata and retry soon once a restarted broker is back (see the class comment).
        c.put(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, 50);
        c.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, BACKOFF_MAX_MS);
        c.put(CommonClientConfigs.RETRY_BACKOFF_MS_CONFIG, 50);
        c.put(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, BACKOFF_MAX_MS);
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
        return c;
    }

    private static Map<String, Object> producerConfig(KafkaSettings settings, String id) {
        Duration publishTimeout = settings.config.publishTimeout();
        long deliveryMs = Math.max(4, publishTimeout.toMillis()
                + TimeUnit.NANOSECONDS.toMillis(KafkaPublisher.stallNanos(publishTimeout)));
        Map<String, Object> c = common(settings, id + "-producer");
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // At most 5 with idempotence keeps the order of one partition across retries.
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        c.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        // Never block the caller: a full buffer or unknown metadata is reported at once.
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, deliveryMs));
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE,
                Math.max(1, Math.min(publishTimeout.toMillis(), deliveryMs - LINGER_MS))));
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_SIZE);
        c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, settings.outboxBytes + (long) BATCHES_OF_SLACK * BATCH_SIZE);
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
        // A partition assigned while a fetch waits for data is fetched only after that fetch returns.
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        return c;
    }
}
