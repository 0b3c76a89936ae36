package dev.backplane.brokers;

import dev.backplane.fixture.LoopbackPorts;
import dev.backplane.fixture.PrivateBroker;
import dev.backplane.fixture.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A private Redis Cluster on ephemeral loopback ports: six {@code redis-server --cluster-enabled yes}
 * processes joined by {@code redis-cli --cluster create --cluster-replicas 1} into three masters,
 * each with one replica, with {@code cluster-node-timeout} 1000 ms so that a failover takes a few
 * seconds ({@code repl-diskless-sync-delay} 0, so that the replicas are synchronized, which
 * {@link #start()} waits for, a moment after the cluster is created):
 *
 * <pre>{@code
 * try (ClusterRedis redis = ClusterRedis.start()) {          // returns once every node says cluster_state:ok
 *     Backplanes.open(redis.uri());                          // redis-cluster://127.0.0.1:p1,...
 *     HostAndPort owner = redis.masterOf(slot);
 *     redis.killMaster(owner);                               // SIGKILL of that process only
 *     redis.awaitPromotion(owner, Duration.ofSeconds(30));   // its replica owns the slots, cluster ok
 * }
 * }</pre>
 *
 * <p>{@link #start(int, int)} makes other shapes (one master alone, or more masters, with or without
 * replicas), for the benchmark's comparison of shard counts.
 *
 * <p>Needs {@code redis-server} and {@code redis-cli} 7 or later on the PATH (sharded pub/sub).
 */
public final class ClusterRedis implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private final int masters;
    private final int replicasPerMaster;
    /** The certificates of a TLS cluster (every port TLS only, the cluster bus and replication too), else null. */
    private final SecureRedis.Certificates tls;
    private final TestCertificates.Issued serverCertificate;
    /** Whether clients must present a certificate the authority signed ({@code tls-auth-clients yes}). */
    private final boolean mutual;
    /** ACL users beside {@code default} (which stays on, for the fixture's own connections), as {@code --user} words. */
    private final List<List<String>> users;

    private final List<PrivateBroker> nodes = new ArrayList<>();
    /**
     * Each node's cluster bus port, by its client port: a free port of its own, kept across restarts.
     * Redis's default, the client port + 10000, can lie above 65535 or on another process's port.
     */
    private final java.util.Map<Integer, Integer> busPorts = new java.util.concurrent.ConcurrentHashMap<>();

    private ClusterRedis(int masters, int replicasPerMaster, boolean tls) {
        this(masters, replicasPerMaster, tls, false, List.of());
    }

    private ClusterRedis(int masters, int replicasPerMaster, boolean tls, boolean mutual, List<List<String>> users) {
        if (masters < 1 || replicasPerMaster < 0 || masters < 3 && replicasPerMaster > 0) {
            throw new IllegalArgumentException("a cluster of " + masters + " master(s) with " + replicasPerMaster
                    + " replica(s) each: give 1 master without replicas, or 3 or more masters");
        }
        this.masters = masters;
        this.replicasPerMaster = replicasPerMaster;
        this.tls = tls ? SecureRedis.Certificates.get() : null;
        this.mutual = mutual;
        this.users = List.copyOf(users);
        this.serverCertificate = tls ? this.tls.server(new String[] {"localhost", LoopbackPorts.LOOPBACK}) : null;
        try {
            for (int i = 1; i <= masters * (1 + replicasPerMaster); i++) {
                nodes.add(PrivateBroker.named("redis-cluster-" + i).command(this::server)
                        .readyTimeout(READY_TIMEOUT).start());
            }
            create();
            awaitHealthy(READY_TIMEOUT);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts the six nodes, joins them and waits for {@code cluster_state:ok} on each. */
    public static ClusterRedis start() {
        return new ClusterRedis(3, 1, false);
    }

    /**
     * A cluster of three masters with {@code replicasPerMaster} replicas each on TLS only: clients,
     * the cluster bus and replication ({@code tls-port}, {@code port 0}, {@code tls-cluster yes},
     * {@code tls-replication yes}), with a server certificate for {@code localhost} and
     * {@code 127.0.0.1} from the authority {@link #authority()} (made at test time, none committed);
     * no client certificate is asked for. Clients connect with {@link #clientTlsOptions()}.
     */
    public static ClusterRedis startTls(int replicasPerMaster) {
        return new ClusterRedis(3, replicasPerMaster, true);
    }

    /**
     * As {@link #startTls}, with mutual TLS ({@code tls-auth-clients yes}: every client, the nodes'
     * bus and replication included, presents a certificate the authority signed) and the ACL users
     * given, each as the words of a {@code user} directive ({@code "tenant", "on", ">pw", "&p:*", ...}).
     * Clients connect with {@link #clientTlsOptions()}, which then carry the client certificate.
     */
    public static ClusterRedis startMutualTls(int replicasPerMaster, List<List<String>> users) {
        return new ClusterRedis(3, replicasPerMaster, true, true, users);
    }

    /** The authority that signed the nodes' certificates (TLS clusters only). */
    public TestCertificates authority() {
        if (tls == null) {
            throw new IllegalStateException("a plain cluster has no certificates: ClusterRedis.startTls");
        }
        return tls.authority;
    }

    /**
     * The backplane options that trust the nodes, {@code tlsCaFile}, and on a mutual-TLS cluster the
     * client certificate, {@code tlsCertFile} and {@code tlsKeyFile} (TLS clusters only).
     */
    public java.util.Map<String, String> clientTlsOptions() {
        if (!mutual) {
            return java.util.Map.of(SecureRedis.CA_FILE, authority().certificate().toString());
        }
        return java.util.Map.of(SecureRedis.CA_FILE, authority().certificate().toString(), SecureRedis.CERT_FILE,
                tls.client.chain().toString(), SecureRedis.KEY_FILE, tls.client.key().toString());
    }

    /**
     * Starts {@code masters} masters with {@code replicasPerMaster} replicas each and waits until the
     * cluster is ok: one master holds every slot itself ({@code CLUSTER ADDSLOTSRANGE 0 16383}, as
     * {@code redis-cli --cluster create} wants three masters at least); three or more are joined by
     * {@code redis-cli}. For the benchmark's shard comparison.
     *
     * @throws IllegalArgumentException for fewer than one master, or replicas on fewer than three
     */
    public static ClusterRedis start(int masters, int replicasPerMaster) {
        return new ClusterRedis(masters, replicasPerMaster, false);
    }

    /** The first node: a seed enough for any client, which learns the others from it. */
    public HostAndPort seed() {
        return new HostAndPort(nodes.get(0).host(), nodes.get(0).port());
    }

    /**
     * One cluster per test class: {@code @RegisterExtension static final ClusterRedis.PerClass redis =
     * new ClusterRedis.PerClass();}.
     */
    public static final class PerClass implements org.junit.jupiter.api.extension.BeforeAllCallback,
            org.junit.jupiter.api.extension.AfterAllCallback {
        private final Supplier<ClusterRedis> starter;
        private volatile ClusterRedis cluster;

        /** Three masters with a replica each, on plain TCP ({@link #start()}). */
        public PerClass() {
            this(ClusterRedis::start);
        }

        /** The cluster {@code starter} starts, e.g. {@code () -> ClusterRedis.startTls(0)}. */
        public PerClass(Supplier<ClusterRedis> starter) {
            this.starter = starter;
        }

        @Override
        public void beforeAll(org.junit.jupiter.api.extension.ExtensionContext context) {
            cluster = starter.get();
        }

        @Override
        public void afterAll(org.junit.jupiter.api.extension.ExtensionContext context) {
            if (cluster != null) {
                cluster.close();
            }
        }

        /** The cluster of the running class. */
        public ClusterRedis get() {
            if (cluster == null) {
                throw new IllegalStateException("no cluster: register ClusterRedis.PerClass as a static @RegisterExtension field");
            }
            return cluster;
        }
    }

    /** {@code redis-cluster://127.0.0.1:p1,...} ({@code rediss-cluster://} on TLS) naming every node as a seed. */
    public String uri() {
        return uri(tls != null ? "rediss-cluster" : "redis-cluster");
    }

    /** {@code scheme://127.0.0.1:p1,...} naming every node as a seed, e.g. for {@code redis-cluster-streams}. */
    public String uri(String scheme) {
        return scheme + "://" + nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    /** A connection to one node. */
    public Jedis node(HostAndPort address) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000)
                .socketTimeoutMillis(2000);
        if (tls != null) {
            config.ssl(true).sslSocketFactory(tls.clientContext.getSocketFactory());
        }
        return new Jedis(address, config.build());
    }

    /** The master that owns {@code slot} now, as a running node reports it. */
    public HostAndPort masterOf(int slot) {
        for (PrivateBroker n : nodes) {
            if (!n.isRunning()) {
                continue;
            }
            try {
                return ownerAsSeenBy(n, slot);
            } catch (RuntimeException e) {
                // ask the next node
            }
        }
        throw new IllegalStateException("no running node knows the owner of slot " + slot);
    }

    /** The masters now, as a running node reports them. */
    public List<HostAndPort> masters() {
        List<HostAndPort> masters = new ArrayList<>();
        for (int slot : new int[] {0, 8192, 16383}) {
            HostAndPort m = masterOf(slot);
            if (!masters.contains(m)) {
                masters.add(m);
            }
        }
        return masters;
    }

    /** SIGKILL of the node at {@code master} (a process this cluster started; no other). */
    public void killMaster(HostAndPort master) {
        broker(master).kill();
    }

    /**
     * Starts a node this cluster stopped or killed again, on its port and from its cluster
     * configuration file, and waits until the cluster is ok and every replica linked. Restart a
     * killed master only after its replica was promoted ({@link #awaitPromotion}): the nodes keep
     * no data on disk, so a master back before that would return with its slots and no data.
     */
    public void restart(HostAndPort node) {
        broker(node).start();
        awaitHealthy(READY_TIMEOUT);
    }

    /** SIGSTOP of one node: it holds its sockets and answers nothing, until {@link #resume}. */
    public void pause(HostAndPort node) {
        broker(node).pause();
    }

    /** SIGCONT of a paused node, then a wait until the cluster is ok and every replica linked. */
    public void resume(HostAndPort node) {
        broker(node).resume();
        awaitHealthy(READY_TIMEOUT);
    }

    /**
     * Waits until a node other than {@code killed} owns {@code killed}'s slot {@code slot} and every
     * running node says {@code cluster_state:ok}.
     *
     * @return the promoted master
     */
    public HostAndPort awaitPromotion(HostAndPort killed, int slot, Duration timeout) {
        await(timeout, "a replica of " + killed + " to be promoted", () -> {
            HostAndPort owner = masterOf(slot);
            return owner.equals(killed) ? "slot " + slot + " still belongs to " + killed : null;
        });
        awaitHealthy(timeout);
        return masterOf(slot);
    }

    /**
     * Moves {@code slot} and its keys to the master {@code to}, as a resharding does: the target
     * {@code IMPORTING}, the owner {@code MIGRATING}, each key {@code MIGRATE}d on its own with
     * {@code pause} after it (so that clients meet the slot half moved: {@code ASK} for a key already
     * gone, {@code TRYAGAIN} for a command on keys of both sides), then {@code SETSLOT NODE} on the
     * target, the former owner and every other master, and a wait until every running node agrees.
     * Keys written to the owner meanwhile are migrated too: the loop ends when the owner has none left.
     *
     * @return how many keys were migrated
     */
    public int moveSlot(int slot, HostAndPort to, Duration pause) {
        HostAndPort from = masterOf(slot);
        if (from.equals(to)) {
            throw new IllegalArgumentException("slot " + slot + " is on " + to + " already");
        }
        int moved = 0;
        try (Jedis source = node(from); Jedis target = node(to)) {
            String sourceId = source.clusterMyId();
            String targetId = target.clusterMyId();
            target.clusterSetSlotImporting(slot, sourceId);
            source.clusterSetSlotMigrating(slot, targetId);
            for (List<String> keys = source.clusterGetKeysInSlot(slot, 10); !keys.isEmpty();
                    keys = source.clusterGetKeysInSlot(slot, 10)) {
                for (String key : keys) {
                    source.migrate(to.getHost(), to.getPort(), key, 0, 5000);
                    moved++;
                    LoopbackPorts.sleep(pause.toMillis());
                }
            }
            target.clusterSetSlotNode(slot, targetId);
            source.clusterSetSlotNode(slot, targetId);
            for (HostAndPort master : masters()) {
                if (!master.equals(from) && !master.equals(to)) {
                    try (Jedis other = node(master)) {
                        other.clusterSetSlotNode(slot, targetId);
                    }
                }
            }
        }
        await(READY_TIMEOUT, "every node to see slot " + slot + " on " + to, () -> {
            for (PrivateBroker n : nodes) {
                if (n.isRunning() && !ownerAsSeenBy(n, slot).equals(to)) {
                    return "node " + n.port() + " still sees slot " + slot + " elsewhere";
                }
            }
            return null;
        });
        return moved;
    }

    private HostAndPort ownerAsSeenBy(PrivateBroker n, int slot) {
        try (Jedis j = node(new HostAndPort(n.host(), n.port()))) {
            for (Object range : j.clusterSlots()) {
                List<?> r = (List<?>) range;
                if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
                    List<?> master = (List<?>) r.get(2);
                    return new HostAndPort(text(master.get(0)), ((Long) master.get(1)).intValue());
                }
            }
        }
        throw new IllegalStateException("node " + n.port() + " knows no owner of slot " + slot);
    }

    /**
     * Stops every node, the replicas first (so that none is promoted while the masters go down),
     * keeping their cluster configuration files.
     */
    public void stopAll() {
        List<PrivateBroker> masters = new ArrayList<>();
        for (HostAndPort m : masters()) {
            masters.add(broker(m));
        }
        for (PrivateBroker n : nodes) {
            if (!masters.contains(n)) {
                n.stop();
            }
        }
        masters.forEach(PrivateBroker::stop);
    }

    /** Starts every node again on its port, from its configuration file, and waits until the cluster is ok. */
    public void startAll() {
        nodes.forEach(PrivateBroker::start);
        awaitHealthy(READY_TIMEOUT);
    }

    /** Stops every node this cluster started and deletes their directories. Idempotent. */
    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                nodes.get(i).close();
            } catch (RuntimeException e) {
                // close the others anyway
            }
        }
    }

    /** The nodes' ports, for messages. */
    public String description() {
        return "Redis Cluster on ports " + nodes.stream().map(n -> Integer.toString(n.port())).collect(Collectors.joining(","));
    }

    private PrivateBroker broker(HostAndPort address) {
        return nodes.stream().filter(n -> n.port() == address.getPort()).findFirst().orElseThrow(() ->
                new IllegalArgumentException(address + " is no node of " + description()));
    }

    private List<String> server(PrivateBroker broker) {
        List<String> ports = tls == null ? List.of("--port", Integer.toString(broker.port()))
                : List.of("--port", "0", "--tls-port", Integer.toString(broker.port()), "--tls-cluster", "yes",
                        "--tls-replication", "yes", "--tls-cert-file", serverCertificate.certificate().toString(),
                        "--tls-key-file", serverCertificate.key().toString(),
                        "--tls-ca-cert-file", tls.authority.certificate().toString(),
                        "--tls-auth-clients", mutual ? "yes" : "no");
        List<String> command = new ArrayList<>(List.of(executable("redis-server"), "--bind", LoopbackPorts.LOOPBACK));
        command.addAll(ports);
        for (List<String> user : users) {
            command.add("--user");
            command.addAll(user);
        }
        command.addAll(List.of("--save", "", "--appendonly", "no",
                "--cluster-enabled", "yes",
                "--cluster-port", Integer.toString(busPorts.computeIfAbsent(broker.port(), p -> LoopbackPorts.freePort())),
                "--cluster-config-file", broker.dataDirectory().resolve("nodes.conf").toString(),
                "--cluster-node-timeout", "1000", "--repl-diskless-sync-delay", "0",
                "--dir", broker.dataDirectory().toString()));
        return command;
    }

    private void create() {
        if (masters == 1) {
            try (Jedis only = node(seed())) {
                only.clusterAddSlotsRange(0, 16383);
            }
            return;
        }
        List<String> command = new ArrayList<>(List.of(executable("redis-cli"), "--cluster", "create"));
        if (tls != null) {
            command.addAll(List.of("--tls", "--cacert", tls.authority.certificate().toString()));
            if (mutual) {
                command.addAll(List.of("--cert", tls.client.certificate().toString(), "--key", tls.client.key().toString()));
            }
        }
        nodes.forEach(n -> command.add(n.host() + ":" + n.port()));
        command.addAll(List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("redis-cli --cluster create did not finish: " + output);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed (" + p.exitValue() + "): " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the cluster", e);
        }
    }

    /** Every running node says {@code cluster_state:ok}, and every replica's link to its master is up (else it could not fail over). */
    private void awaitHealthy(Duration timeout) {
        await(timeout, "cluster_state:ok on every running node and every replica linked", () -> {
            for (PrivateBroker n : nodes) {
                if (!n.isRunning()) {
                    continue;
                }
                try (Jedis j = node(new HostAndPort(n.host(), n.port()))) {
                    if (!j.clusterInfo().contains("cluster_state:ok")) {
                        return "node " + n.port() + " is not ok yet";
                    }
                    String replication = j.info("replication");
                    if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                        return "replica " + n.port() + " is not linked to its master yet";
                    }
                }
            }
            return null;
        });
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.US_ASCII) : String.valueOf(o);
    }

    private static String executable(String name) {
        return BrokerProcess.findExecutable(name).map(Object::toString).orElseThrow(() ->
                new IllegalStateException("no " + name + " for the Redis Cluster tests: install redis-server and "
                        + "redis-tools (apt-get install -y redis-server redis-tools)"));
    }

    private void await(Duration timeout, String what, Supplier<String> check) {
        Poll.until(timeout, what, check, this::description);
    }
}
