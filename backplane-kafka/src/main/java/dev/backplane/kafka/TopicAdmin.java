package dev.backplane.kafka;

import dev.backplane.BackplaneConfigurationException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The backplane's topic work on the broker: finding a topic, creating it when allowed, and
 * reading a partition's offsets. Every call is asynchronous and bounded by the timeout given.
 */
final class TopicAdmin implements AutoCloseable {

    /** The first and next offsets of a partition: {@code [start, end)} is what it retains. */
    record Offsets(long start, long end) {
    }

    /**
     * What the backplane needs to know of a topic: its partition count and what this client may do
     * with it ({@code null} if the broker does not say).
     */
    record TopicInfo(int partitions, Set<AclOperation> authorized) {
        boolean allows(AclOperation operation) {
            return authorized == null || authorized.contains(operation) || authorized.contains(AclOperation.ALL);
        }
    }

    private static final Duration RETRY = Duration.ofMillis(20);

    private final Admin admin;
    private final KafkaSettings settings;
    private final KafkaErrors errors;
    private final TopicCreator creator;
    private final ScheduledExecutorService scheduler;
    // Topics known to exist; a topic is looked up once per backplane.
    private final Map<String, TopicInfo> known = new ConcurrentHashMap<>();

    /** @param scheduler where a look-up waits before it asks again; runs nothing but the next request */
    TopicAdmin(Admin admin, KafkaSettings settings, KafkaErrors errors, ScheduledExecutorService scheduler) {
        this.admin = admin;
        this.settings = settings;
        this.errors = errors;
        this.scheduler = scheduler;
        this.creator = new TopicCreator(admin, this::newTopic, settings.config.connectTimeout());
    }

    /**
     * What is known of {@code topic}, creating the topic first if it is missing and
     * {@code createTopics} is on. Fails with {@link BackplaneConfigurationException} if it is
     * missing and may not or cannot be created, and with a broker-unavailable error on timeout.
     */
    CompletableFuture<TopicInfo> ensure(String topic, Duration timeout) {
        TopicInfo info = known.get(topic);
        if (info != null) {
            return CompletableFuture.completedFuture(info);
        }
        return describe(topic, timeout)
                .exceptionallyCompose(e -> {
                    if (!(unwrap(e) instanceof UnknownTopicOrPartitionException)) {
                        return CompletableFuture.failedFuture(errors.topicLookup(topic, "look up", unwrap(e), timeout));
                    }
                    if (!settings.createTopics) {
                        return CompletableFuture.failedFuture(new BackplaneConfigurationException("Kafka topic '" + topic
                                + "' does not exist on " + settings.brokers() + " and option '" + KafkaSettings.CREATE_TOPICS
                                + "' is false in " + settings.config.redactedUri() + "; create the topic (with "
                                + settings.mapping.partitionsToCreate() + " partition(s)) or set createTopics=true"));
                    }
                    return create(topic, timeout);
                })
                .thenApply(created -> {
                    known.put(topic, created);
                    return created;
                });
    }

    /** The retained range of a partition. */
    CompletableFuture<Offsets> offsets(TopicPartition partition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return whileUnknown(() -> {
            ListOffsetsOptions options = new ListOffsetsOptions().timeoutMs(millis(remaining(deadline)));
            CompletableFuture<Long> start = stage(admin.listOffsets(Map.of(partition, OffsetSpec.earliest()), options)
                    .partitionResult(partition)).thenApply(info -> info.offset());
            CompletableFuture<Long> end = stage(admin.listOffsets(Map.of(partition, OffsetSpec.latest()), options)
                    .partitionResult(partition)).thenApply(info -> info.offset());
            return start.thenCombine(end, Offsets::new);
        }, deadline).exceptionallyCompose(e -> CompletableFuture.failedFuture(
                errors.topicLookup(partition.topic(), "read the offsets of", unwrap(e), timeout)));
    }

    /**
     * The largest record batch {@code topic} accepts ({@code max.message.bytes}), or empty if the
     * broker does not say (for instance because describing configurations is not permitted).
     */
    CompletableFuture<Optional<Integer>> maxMessageBytes(String topic, Duration timeout) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return stage(admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().timeoutMs(millis(timeout)))
                .values().get(resource))
                .thenApply(config -> Optional.ofNullable(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG))
                        .map(entry -> Integer.parseInt(entry.value())))
                .exceptionally(e -> Optional.empty());
    }

    /** Completes once the cluster answers. */
    CompletableFuture<Void> describeCluster(Duration timeout) {
        return stage(admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis(timeout))).nodes())
                .thenAccept(nodes -> { })
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(unwrap(e) instanceof TimeoutException
                        ? errors.unreachable("connecting", timeout, unwrap(e))
                        : errors.topicLookup("(any)", "reach the cluster for", unwrap(e), timeout)));
    }

    /** Forgets what is known of {@code topic}, so that the next {@link #ensure} looks again. */
    void forget(String topic) {
        known.remove(topic);
    }

    private CompletableFuture<TopicInfo> describe(String topic, Duration timeout) {
        DescribeTopicsOptions options = new DescribeTopicsOptions().timeoutMs(millis(timeout))
                .includeAuthorizedOperations(true);
        return stage(admin.describeTopics(List.of(topic), options).topicNameValues().get(topic))
                .thenApply(description -> new TopicInfo(description.partitions().size(), description.authorizedOperations()));
    }

    private NewTopic newTopic(String topic) {
        NewTopic newTopic = new NewTopic(topic, Optional.of(settings.mapping.partitionsToCreate()),
                settings.replicationFactor);
        Map<String, String> configs = new HashMap<>();
        settings.retention.ifPresent(r -> configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(r.toMillis())));
        settings.minInsyncReplicas.ifPresent(m -> configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(m)));
        return newTopic.configs(configs);
    }

    private CompletableFuture<TopicInfo> create(String topic, Duration timeout) {
        return within(creator.create(topic), timeout)
                .exceptionallyCompose(e -> unwrap(e) instanceof TopicExistsException
                        // Another node created it first.
                        ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.failedFuture(errors.topicLookup(topic, "create", unwrap(e), timeout)))
                .thenCompose(created -> {
                    long deadline = System.nanoTime() + timeout.toNanos();
                    return whileUnknown(() -> describe(topic, remaining(deadline)), deadline);
                })
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(
                        errors.topicLookup(topic, "look up", unwrap(e), timeout)));
    }

    /**
     * Runs {@code call} again while it fails because the broker does not know the topic yet, as
     * it may for a moment after the topic was created, until {@code deadline}.
     */
    private <T> CompletableFuture<T> whileUnknown(Supplier<CompletableFuture<T>> call, long deadline) {
        return call.get().exceptionallyCompose(e -> {
            if (unwrap(e) instanceof UnknownTopicOrPartitionException && System.nanoTime() + RETRY.toNanos() < deadline) {
                CompletableFuture<Void> pause = new CompletableFuture<>();
                try {
                    scheduler.schedule(() -> pause.complete(null), RETRY.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException shutDown) {
                    return CompletableFuture.failedFuture(unwrap(e));
                }
                // On the scheduler, the next request is only queued for the admin client's thread: quick.
                return pause.thenCompose(ignored -> whileUnknown(call, deadline));
            }
            return CompletableFuture.failedFuture(unwrap(e));
        });
    }

    /** {@code future}, failed with a {@link TimeoutException} if it is not done within {@code timeout} (timed on the scheduler). */
    private <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration timeout) {
        try {
            ScheduledFuture<?> timer = scheduler.schedule(() -> future.completeExceptionally(
                    new TimeoutException("no answer within " + timeout)), timeout.toNanos(), TimeUnit.NANOSECONDS);
            future.whenComplete((value, error) -> timer.cancel(false));
        } catch (RejectedExecutionException shutDown) {
            // the scheduler is gone: the admin client's own request timeout still bounds the wait
        }
        return future;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    @Override
    public void close() {
        admin.close(Duration.ZERO);
    }

    /** A plain future completed by the Kafka future (whose own stages refuse some operations). */
    static <T> CompletableFuture<T> stage(KafkaFuture<T> future) {
        CompletableFuture<T> plain = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (error != null) {
                plain.completeExceptionally(unwrap(error));
            } else {
                plain.complete(value);
            }
        });
        return plain;
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static int millis(Duration timeout) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    }
}
