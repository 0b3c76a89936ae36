package dev.backplane.kafka;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.AbstractBackplane;
import dev.backplane.spi.Positions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;

/**
 * A backplane on Apache Kafka: at-least-once, with replay from offsets, every subscribing
 * instance seeing every message of its channels.
 *
 * <ul>
 *   <li>Publishing: through the shared outbox to one idempotent producer ({@code acks=all}); a
 *       publish completes with the record's offset as its {@link Position} once every in-sync
 *       replica has it (see {@link KafkaPublisher} for how it fails).
 *   <li>Subscribing: one consumer per instance, in no consumer group, assigned the partitions
 *       that hold the subscribed channels (see {@link KafkaReceiver}).
 *   <li>Mapping: by default every channel of the prefix shares one topic, the channel travelling
 *       in a record header; optionally one topic per channel (see {@link TopicMapping}).
 * </ul>
 *
 * <p>Futures complete and subscribers run on the callback executor of the configuration's
 * {@link dev.backplane.BackplaneResources}, never on a Kafka client's thread or on the
 * backplane's publisher or receiver thread.
 *
 * <p>Opening checks the broker and the topic within {@code connectTimeout}, so a wrong address,
 * a missing topic or a missing permission is reported at once. Created by
 * {@link KafkaBackplaneProvider}; the options are described in the module's README.
 */
public final class KafkaBackplane extends AbstractBackplane {

    /** Record header naming the prefix a record was published under. */
    static final String PREFIX_HEADER = "backplane-prefix";
    /** Record header naming the logical channel of a record. */
    static final String CHANNEL_HEADER = "backplane-channel";

    /**
     * Bytes a record may need beyond its payload: batch header (61), record framing, the key (the
     * channel, at most 200) and the two headers (names and values, at most about 300).
     */
    static final int RECORD_OVERHEAD = 1024;

    private final KafkaSettings settings;
    private final Capabilities capabilities;
    private final KafkaClients clients;
    private final TopicAdmin topics;
    private final KafkaPublisher publisher;
    private final KafkaReceiver receiver;
    private final Set<KafkaSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private BrokerWatch watch;

    KafkaBackplane(KafkaSettings settings) {
        this(settings, KafkaClients::kafkaConsumer);
    }

    /** @param consumers makes the receiver's consumer from its configuration (again, if the receiver restarts) */
    KafkaBackplane(KafkaSettings settings, Function<Map<String, Object>, Consumer<String, byte[]>> consumers) {
        super(settings.config);
        this.settings = settings;
        this.capabilities = new Capabilities("kafka", DeliveryGuarantee.AT_LEAST_ONCE, true, true, settings.maxPayload,
                settings.mapping.sharedTopic());
        String name = "backplane-kafka-" + settings.config.prefix();
        KafkaErrors errors = new KafkaErrors(settings);
        this.clients = KafkaClients.open(settings, consumers);
        this.topics = new TopicAdmin(clients.admin(), settings, errors, config.resources().scheduler());
        try {
            this.publisher = new KafkaPublisher(clients.producer(), settings, topics, errors, completions, monitor,
                    name + "-publisher");
            this.receiver = new KafkaReceiver(clients::newConsumer, settings.config.prefix(), config.connectTimeout(),
                    name + "-consumer");
        } catch (RuntimeException e) {
            clients.closeNow();
            throw e;
        }
        try {
            checkBroker(errors);
        } catch (RuntimeException e) {
            doClose();
            throw e;
        }
        connected(); // checkBroker reached the cluster
        // Operations: the cluster's reachability is this backplane's connection state (health, lost and
        // restored events), asked of the admin client often enough to notice a loss within connectTimeout.
        Duration connect = config.connectTimeout();
        Duration period = connect.dividedBy(4).compareTo(Duration.ofMillis(500)) < 0 ? connect.dividedBy(4)
                : Duration.ofMillis(500);
        this.watch = new BrokerWatch(clients.admin(), config.resources().scheduler(), period, connect, this::connected,
                cause -> connectionLost("Kafka at " + settings.config.redactedUri() + " did not answer: " + cause));
    }

    /** A record's offset as a position. */
    static Position position(long offset) {
        // An offset the client does not know (-1) keeps its text form.
        return offset >= 0 ? Position.ofWholeNumber(offset) : Position.of(Long.toString(offset));
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    protected CompletableFuture<Position> doPublish(String channel, byte[] payload) {
        return publisher.publish(channel, payload);
    }

    @Override
    protected CompletableFuture<Subscription> doSubscribe(String channel, Position from, Subscriber subscriber) {
        long after = from == null || from.equals(Position.EARLIEST) ? -1 : offset(from);
        BackplaneException stopped = receiver.stoppedBecause();
        if (stopped != null) {
            return CompletableFuture.failedFuture(stopped);
        }
        String topic = settings.mapping.topic(channel);
        Duration timeout = config.connectTimeout();
        return topics.ensure(topic, timeout).thenCompose(info -> {
            if (!info.allows(AclOperation.READ)) {
                throw new BackplaneConfigurationException("not allowed to read Kafka topic '" + topic + "' on "
                        + settings.brokers() + " as " + settings.security.principal() + ", which holds channel '"
                        + channel + "' (the broker's ACLs grant no READ: authorization failed); grant the client's "
                        + "principal READ on the topic");
            }
            TopicPartition partition = new TopicPartition(topic, TopicMapping.partition(channel, info.partitions()));
            return topics.offsets(partition, timeout).thenCompose(offsets -> {
                KafkaSubscription subscription = new KafkaSubscription(channel, partition, subscriber, config,
                        receiver::resume, this::closed);
                // A live subscription starts at the end: every record acknowledged after this is at or past it.
                long start = from == null ? offsets.end() : replayStart(subscription, from, after, offsets);
                subscriptions.add(subscription);
                return receiver.add(subscription, start).handle((added, error) -> {
                    if (error != null) {
                        subscription.close();
                        throw new java.util.concurrent.CompletionException(error);
                    }
                    return (Subscription) subscription;
                });
            });
        });
    }

    /**
     * Where a replay after {@code from} starts, reporting a gap first when the records right after
     * it are no longer retained.
     */
    private static long replayStart(KafkaSubscription subscription, Position from, long after, TopicAdmin.Offsets offsets) {
        String channel = subscription.channel();
        TopicPartition partition = subscription.partition();
        if (after < 0) {
            if (offsets.start() > 0) {
                subscription.gap(new Gap(channel, Position.EARLIEST, resumedAt(offsets),
                        "offsets 0 to " + (offsets.start() - 1) + " of " + partition + " were deleted (retention)"));
            }
            return offsets.start();
        }
        if (after + 1 < offsets.start()) {
            subscription.gap(new Gap(channel, from, resumedAt(offsets), "offsets " + (after + 1) + " to "
                    + (offsets.start() - 1) + " of " + partition + " were deleted (retention)"));
            return offsets.start();
        }
        if (after + 1 > offsets.end()) {
            subscription.gap(new Gap(channel, from, resumedAt(offsets), "position " + after + " is beyond the end ("
                    + offsets.end() + ") of " + partition + "; the topic was deleted and created again, so everything "
                    + "it retains is replayed"));
            return offsets.start();
        }
        return after + 1;
    }

    private static Position resumedAt(TopicAdmin.Offsets offsets) {
        return offsets.start() < offsets.end() ? position(offsets.start()) : Position.NONE;
    }

    private static long offset(Position from) {
        return Positions.wholeNumber(from, "kafka", "a record offset");
    }

    /**
     * Opening answers at once whether the backplane can work: the shared topic exists (or was
     * created) and the producer knows it; with a topic per channel, the broker answers.
     */
    private void checkBroker(KafkaErrors errors) {
        Duration timeout = config.connectTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<?> check;
        if (settings.mapping.sharedTopic()) {
            String shared = settings.mapping.topic("any channel");
            check = publisher.prepare(shared)
                    .thenCompose(ready -> topics.maxMessageBytes(shared,
                            Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()))))
                    .thenAccept(limit -> limit.ifPresent(bytes -> checkMaxPayload(shared, bytes)));
        } else {
            check = topics.describeCluster(timeout);
        }
        try {
            check.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = TopicAdmin.unwrap(e);
            throw cause instanceof BackplaneException known ? known
                    : new BrokerUnavailableException("opening the Kafka backplane " + config.redactedUri() + " failed: "
                            + cause, cause);
        } catch (TimeoutException e) {
            throw errors.unreachable("opening the backplane", timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackplaneException("interrupted while opening the Kafka backplane " + config.redactedUri(), e);
        }
    }

    private void closed(KafkaSubscription subscription) {
        subscriptions.remove(subscription);
        receiver.remove(subscription);
    }

    private void checkMaxPayload(String topic, int maxMessageBytes) {
        if (settings.maxPayload + RECORD_OVERHEAD > maxMessageBytes) {
            throw new BackplaneConfigurationException("topic '" + topic + "' on " + settings.brokers()
                    + " accepts records of at most " + maxMessageBytes + " bytes (max.message.bytes), too few for a "
                    + "payload of " + settings.maxPayload + " bytes (option " + KafkaSettings.MAX_PAYLOAD + ") plus "
                    + RECORD_OVERHEAD + " bytes of record overhead; lower " + KafkaSettings.MAX_PAYLOAD + " to at most "
                    + (maxMessageBytes - RECORD_OVERHEAD) + " or raise the topic's max.message.bytes");
        }
    }

    @Override
    protected void doClose() {
        // Subscriptions first: nothing is delivered once close() has begun.
        List.copyOf(subscriptions).forEach(KafkaSubscription::close);
        if (watch != null) {
            watch.close();
        }
        receiver.close(config.connectTimeout());
        publisher.close();
        topics.close();
    }
}
