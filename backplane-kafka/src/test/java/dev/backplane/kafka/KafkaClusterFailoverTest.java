package dev.backplane.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.Backplanes;
import dev.backplane.brokers.kafka.KafkaSecurity;
import java.net.URLEncoder;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.brokers.kafka.KafkaCluster;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backplane on a three-node KRaft cluster ({@link KafkaCluster}, each node a child JVM) whose
 * client listeners speak SASL_PLAINTEXT, started once for the class, reached with the credentials
 * in the user info before the list of the three brokers: logging in to every broker with PLAIN
 * and SCRAM, topics created with the replication options, and the broker that
 * leads the channel's partition killed with SIGKILL under a steady publish load. The failover
 * figures are printed ("cluster failover:").
 */
class KafkaClusterFailoverTest {

    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);
    private static final int RATE_PER_SECOND = 200;
    private static final String CHANNEL = "load";
    private static final String USER = "cluster-user";
    private static final String PASSWORD = "p@ss:w/rd\"\\";

    private static KafkaCluster cluster;
    private final AsyncFailures failures = new AsyncFailures();
    private KafkaTestBackplanes kit;

    @BeforeAll
    static void startCluster() {
        cluster = new KafkaCluster(KafkaSecurity.plaintext().withSaslUser(USER, PASSWORD));
    }

    @AfterAll
    static void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void newKit() {
        kit = new KafkaTestBackplanes(baseUri(), cluster.internalBootstrapServers());
    }

    /** {@code kafka://user:password@b1,b2,b3}, the password percent-encoded. */
    private static String baseUri() {
        return "kafka://" + USER + ":" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "@"
                + cluster.bootstrapServers();
    }

    @AfterEach
    void closeKitAndRestartKilledNodes() {
        kit.close();
        for (int i = 0; i < KafkaCluster.SIZE; i++) {
            if (!cluster.isRunning(i)) {
                cluster.start(i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
    void credentialsBeforeTheListOfBrokersLogInToEachOfThem(String mechanism) {
        for (int i = 0; i < KafkaCluster.SIZE; i++) {
            // Each node alone, then the list of all three.
            KafkaTestBackplanes alone = new KafkaTestBackplanes(baseUri().replace(cluster.bootstrapServers(),
                    cluster.address(i)), cluster.internalBootstrapServers());
            try {
                alone.assertRoundTrip(alone.open("saslMechanism=" + mechanism));
            } finally {
                alone.close();
            }
        }
        Backplane backplane = kit.open("saslMechanism=" + mechanism);
        kit.assertRoundTrip(backplane);
        Throwable refused = catchThrowable(() -> Backplanes.open(baseUri().replace(
                URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8), "xq7-not-it") + "?connectTimeout=5s&saslMechanism="
                + mechanism).close());
        assertThat(refused).as("a wrong password before the list of brokers").isInstanceOf(BackplaneException.class)
                .hasMessageContaining(USER).hasMessageNotContaining("xq7-not-it");
    }

    @Test
    void topicsTheBackplaneCreatesGetTheReplicationFactorAndMinInsyncReplicasOfTheOptions() throws Exception {
        Backplane backplane = kit.open("replicationFactor=3&minInsyncReplicas=2");
        kit.assertRoundTrip(backplane);
        try (Admin admin = cluster.admin()) {
            TopicDescription topic = admin.describeTopics(List.of(kit.prefix())).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(kit.prefix());
            assertThat(topic.partitions()).hasSize(KafkaSettings.DEFAULT_PARTITIONS)
                    .allSatisfy(p -> assertThat(p.replicas()).as("replicas of partition %d", p.partition()).hasSize(3));
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, kit.prefix());
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            assertThat(config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()).isEqualTo("2");
        }
    }

    @Test
    void aReplicationFactorAboveTheBrokerCountIsRefusedNamingTheOption() {
        Throwable thrown = catchThrowable(() -> kit.open("replicationFactor=4&minInsyncReplicas=2"));
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("refused to create topic '" + kit.prefix() + "'")
                .hasMessageContaining(KafkaSettings.REPLICATION_FACTOR);
    }

    @Test
    void killingThePartitionLeaderUnderLoadLosesNoAcknowledgedPublishAndKeepsTheOrder() {
        Backplane publisher = kit.open("replicationFactor=3&minInsyncReplicas=2&publishTimeout="
                + PUBLISH_TIMEOUT.toMillis() + "ms");
        Backplane subscriber = kit.open("replicationFactor=3&minInsyncReplicas=2");
        Recorder received = new Recorder(CHANNEL, failures, true);
        Map<String, Long> receivedAt = new ConcurrentHashMap<>();
        KafkaTestBackplanes.await(subscriber.subscribe(CHANNEL, d -> {
            receivedAt.putIfAbsent(new String(d.payload(), StandardCharsets.UTF_8), System.nanoTime());
            received.onMessage(d);
        }));
        int leader = cluster.leaderOf(kit.prefix(), TopicMapping.partition(CHANNEL, KafkaSettings.DEFAULT_PARTITIONS));
        Load load = new Load(publisher);
        load.start();
        load.awaitSent(RATE_PER_SECOND);
        long killedAt = System.nanoTime();
        cluster.kill(leader);
        long resumedAt = load.awaitAcknowledgedCalledAfter(killedAt, KitTimeouts.recovery());
        load.awaitSent(load.sent() + 2 * RATE_PER_SECOND);
        List<Sent> sent = load.stop();
        int newLeader = cluster.leaderOf(kit.prefix(), TopicMapping.partition(CHANNEL, KafkaSettings.DEFAULT_PARTITIONS));

        List<Sent> acknowledged = sent.stream().filter(s -> s.failure() == null).toList();
        List<Sent> failed = sent.stream().filter(s -> s.failure() != null).toList();
        List<String> expected = acknowledged.stream().map(Sent::text).toList();
        received.awaitTexts(expected, KitTimeouts.recovery(), "acknowledged publishes after the leader was killed");
        received.settle();
        List<String> texts = received.texts();
        long firstDelivery = acknowledged.stream().filter(s -> s.calledAt() > killedAt)
                .mapToLong(s -> receivedAt.getOrDefault(s.text(), Long.MAX_VALUE)).min().orElse(Long.MAX_VALUE);
        int duplicates = texts.size() - new HashSet<>(texts).size();
        System.out.printf("cluster failover: %d publishes at %d/s, publishTimeout %s, leader node %d killed (SIGKILL), "
                        + "new leader node %d; kill to first publish acknowledged again %d ms, to its delivery %d ms; "
                        + "%d failed, 0 of %d acknowledged lost, %d duplicates%n",
                sent.size(), RATE_PER_SECOND, PUBLISH_TIMEOUT, leader + 1, newLeader + 1, millis(resumedAt - killedAt),
                millis(firstDelivery - killedAt), failed.size(), acknowledged.size(), duplicates);

        assertThat(newLeader).as("leader of the channel's partition after the kill").isNotEqualTo(leader);
        Set<String> acked = new HashSet<>(expected);
        assertThat(texts.stream().filter(acked::contains).distinct().toList())
                .as("acknowledged publishes, each delivered, in the order of the calls").containsExactlyElementsOf(expected);
        assertThat(received.gaps()).as("gaps: the replicas kept every record").isEmpty();
        // A publish may fail only if its publish timeout ran out while the partition had no leader.
        assertThat(failed).allSatisfy(s -> {
            assertThat(s.failure()).isInstanceOf(BrokerUnavailableException.class);
            assertThat(s.calledAt() + PUBLISH_TIMEOUT.toNanos()).as("deadline of failed %s", s.text())
                    .isBetween(killedAt, resumedAt + KitTimeouts.grace().toNanos());
        });
        failures.rethrow();
    }

    private static long millis(long nanos) {
        return nanos >= Long.MAX_VALUE / 2 ? -1 : TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** One publish: when it was called, when it settled, how. */
    private record Sent(String text, long calledAt, long settledAt, Throwable failure) {
    }

    /** Publishes numbered messages at a fixed rate on a thread of its own and keeps every outcome. */
    private static final class Load {
        private final Backplane backplane;
        private final List<CompletableFuture<Sent>> outcomes = new ArrayList<>();
        private final List<Sent> settled = new ArrayList<>();
        private final long interval = TimeUnit.SECONDS.toNanos(1) / RATE_PER_SECOND;
        private final Thread thread = new Thread(this::run, "test-cluster-load");
        private volatile boolean stopping;

        Load(Backplane backplane) {
            this.backplane = backplane;
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        synchronized int sent() {
            return outcomes.size();
        }

        synchronized void awaitSent(int n) {
            awaitCondition(() -> outcomes.size() >= n, Duration.ofMinutes(1), "publishes made by the load: " + n);
        }

        /** Waits until a publish called after {@code since} is acknowledged; returns when that was. */
        synchronized long awaitAcknowledgedCalledAfter(long since, Duration timeout) {
            awaitCondition(() -> settled.stream().anyMatch(s -> s.failure() == null && s.calledAt() > since), timeout,
                    "a publish acknowledged after the kill");
            return settled.stream().filter(s -> s.failure() == null && s.calledAt() > since).mapToLong(Sent::settledAt)
                    .min().orElseThrow();
        }

        private void awaitCondition(java.util.function.BooleanSupplier done, Duration timeout, String what) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                assertThat(left).as(what + " within " + timeout).isPositive();
                try {
                    wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }

        /** Stops the load; returns every outcome, waiting for the last ones (each bounded by the publish timeout). */
        List<Sent> stop() {
            stopping = true;
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return made().stream().map(KafkaTestBackplanes::await).toList();
        }

        private synchronized List<CompletableFuture<Sent>> made() {
            return List.copyOf(outcomes);
        }

        private void run() {
            for (long next = System.nanoTime(); !stopping; next += interval) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                String text;
                synchronized (this) {
                    text = "m" + outcomes.size();
                }
                long calledAt = System.nanoTime();
                CompletableFuture<Sent> outcome = backplane.publish(CHANNEL, text.getBytes(StandardCharsets.UTF_8))
                        .handle((position, error) -> settle(new Sent(text, calledAt, System.nanoTime(),
                                error instanceof CompletionException && error.getCause() != null ? error.getCause() : error)));
                synchronized (this) {
                    outcomes.add(outcome);
                    notifyAll();
                }
            }
        }

        private synchronized Sent settle(Sent s) {
            settled.add(s);
            notifyAll();
            return s;
        }
    }
}
