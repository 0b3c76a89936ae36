package dev.backplane.brokers.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka cluster (KRaft) of three nodes, each a combined broker and controller in a child
 * JVM of its own ({@link KafkaBrokerProcess}), with a static quorum of the three controllers: one
 * node can be killed with SIGKILL ({@link #kill(int)}) and the other two keep the quorum and the
 * in-sync replicas. Three processes start faster than a dedicated controller and three brokers,
 * and use less of a small machine's memory (heap {@value #HEAP} each).
 *
 * <p>Every node binds 127.0.0.1 on ephemeral ports chosen once and kept across restarts. Topics
 * get replication factor 3 and {@code min.insync.replicas=2} by default, the internal topics too;
 * a broker is fenced 3 s after its last heartbeat. The constructor starts the nodes together (a
 * node's broker waits for the quorum) and returns once all three brokers are registered.
 * {@link #close()} kills every node and deletes their directories.
 */
public final class KafkaCluster implements AutoCloseable {

    /** Nodes in the cluster. */
    public static final int SIZE = 3;
    private static final String HEAP = "-Xmx320m";
    private static final Duration REGISTERED = Duration.ofSeconds(90);

    private final List<KafkaPorts> ports = new ArrayList<>();
    private final List<KafkaBrokerProcess> nodes = new ArrayList<>();
    private final KafkaSecurity security;

    /** Starts a plaintext cluster of {@value #SIZE} nodes; returns once every broker is registered. */
    public KafkaCluster() {
        this(KafkaSecurity.plaintext());
    }

    /**
     * Starts a cluster whose client listeners are secured as {@code security} says (every node
     * also has an internal PLAINTEXT listener, for replication and {@link #admin()}); returns once
     * every broker is registered and the SASL users can log in.
     */
    public KafkaCluster(KafkaSecurity security) {
        this.security = security;
        String clusterId = Uuid.randomUuid().toString();
        for (int i = 0; i < SIZE; i++) {
            KafkaPorts picked;
            do {
                picked = KafkaPorts.pick();
            } while (clashes(picked));
            ports.add(picked);
        }
        String voters = "";
        for (int i = 0; i < SIZE; i++) {
            voters += (i == 0 ? "" : ",") + nodeId(i) + "@" + KafkaPorts.address(ports.get(i).controller());
        }
        for (int i = 0; i < SIZE; i++) {
            nodes.add(new KafkaBrokerProcess(ports.get(i), clusterId, security, nodeConfig(i, voters), HEAP));
        }
        try {
            join(nodes.stream().map(node -> CompletableFuture.runAsync(node::start)).toList());
            awaitRegistered(SIZE);
            security.createScramUsers(ports.get(0), toString());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private boolean clashes(KafkaPorts picked) {
        List<Integer> taken = ports.stream().flatMap(p -> List.of(p.client(), p.internal(), p.controller()).stream())
                .toList();
        return taken.contains(picked.client()) || taken.contains(picked.internal()) || taken.contains(picked.controller());
    }

    private static int nodeId(int index) {
        return index + 1;
    }

    private static Map<String, String> nodeConfig(int index, String voters) {
        Map<String, String> p = new HashMap<>();
        p.put("node.id", Integer.toString(nodeId(index)));
        p.put("controller.quorum.voters", voters);
        p.put("default.replication.factor", "3");
        p.put("min.insync.replicas", "2");
        p.put("offsets.topic.replication.factor", "3");
        p.put("transaction.state.log.replication.factor", "3");
        p.put("transaction.state.log.min.isr", "2");
        p.put("share.coordinator.state.topic.replication.factor", "3");
        p.put("share.coordinator.state.topic.min.isr", "2");
        // A killed broker's partitions move to another leader soon: fenced 3 s after its last heartbeat.
        p.put("broker.session.timeout.ms", "3000");
        p.put("broker.heartbeat.interval.ms", "500");
        return p;
    }

    /** The bootstrap servers: {@code 127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}. */
    public String bootstrapServers() {
        return nodes.stream().map(KafkaBrokerProcess::address).collect(Collectors.joining(","));
    }

    /**
     * The bootstrap servers of the PLAINTEXT listeners whose clients are super users, for a test's
     * set-up: the internal listeners of a {@linkplain KafkaSecurity#secured() secured} cluster,
     * else {@link #bootstrapServers()}.
     */
    public String internalBootstrapServers() {
        return nodes.stream().map(KafkaBrokerProcess::internalAddress).collect(Collectors.joining(","));
    }

    /** How the client listeners are secured. */
    public KafkaSecurity security() {
        return security;
    }

    /** {@code host:port} of node {@code index} (0 to {@value #SIZE} - 1). */
    public String address(int index) {
        return nodes.get(index).address();
    }

    /** The index of the node that leads {@code partition} of {@code topic} now. */
    public int leaderOf(String topic, int partition) {
        try (Admin admin = admin()) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);
            Node leader = description.partitions().get(partition).leader();
            if (leader == null) {
                throw new IllegalStateException("partition " + partition + " of " + topic + " has no leader now");
            }
            return leader.id() - 1;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not describe topic " + topic + " on " + this, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Kills node {@code index} with SIGKILL (that process only); returns once its client port is closed. */
    public void kill(int index) {
        nodes.get(index).kill();
    }

    /** Starts node {@code index} again on its ports and log directory; returns once all brokers are registered. */
    public void start(int index) {
        nodes.get(index).start();
        awaitRegistered(SIZE);
    }

    /** Whether node {@code index} runs now. */
    public boolean isRunning(int index) {
        return nodes.get(index).isRunning();
    }

    /** An admin client of the cluster (on {@link #internalBootstrapServers()}), for a test's checks; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, internalBootstrapServers(),
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200"));
    }

    /** Waits until {@code count} brokers are registered (unfenced) with the controller. */
    private void awaitRegistered(int count) {
        long deadline = System.nanoTime() + REGISTERED.toNanos();
        int seen = 0;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (seen >= count) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not answering yet
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + this, e);
        }
        throw new IllegalStateException(this + " had " + seen + " of " + count + " brokers registered after " + REGISTERED);
    }

    private static void join(List<CompletableFuture<Void>> starts) {
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Kills every node and deletes their directories. Idempotent. */
    @Override
    public void close() {
        nodes.forEach(KafkaBrokerProcess::close);
    }

    @Override
    public String toString() {
        return "Kafka cluster of " + SIZE + " KRaft nodes at " + bootstrapServers()
                + (security.secured() ? " (" + security + ")" : "");
    }
}
