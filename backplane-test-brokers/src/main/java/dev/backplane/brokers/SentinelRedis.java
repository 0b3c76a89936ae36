package dev.backplane.brokers;

import dev.backplane.fixture.LoopbackPorts;
import dev.backplane.fixture.PrivateBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

/**
 * A private Redis Sentinel deployment on ephemeral loopback ports: a master, one replica of it and
 * three sentinels ({@code redis-server sentinel.conf --sentinel}, quorum 2) that monitor it as
 * {@value #MASTER_NAME}, with short timeouts ({@code down-after-milliseconds} 1000,
 * {@code failover-timeout} 3000), so that a failover takes a few seconds:
 *
 * <pre>{@code
 * try (SentinelRedis redis = SentinelRedis.start()) {       // returns once the sentinels see both servers
 *     Backplanes.open(redis.uri("redis-sentinel"));          // redis-sentinel://127.0.0.1:p1,.../?master=...
 *     redis.killMaster();                                    // SIGKILL of the master's process
 *     redis.awaitPromotion(Duration.ofSeconds(30));          // every sentinel names the replica
 * }
 * }</pre>
 *
 * <p>Each process is a {@link PrivateBroker} with a directory of its own; the servers keep an
 * append-only file ({@code everysec}), so {@link #stopServers()} and {@link #startServers()} keep
 * what they had, as {@link Brokers#redis()} does. Readiness: each port accepts connections, then
 * every sentinel reports the master up, the replica up with its link to the master, and the two
 * other sentinels. Needs {@code redis-server} 6 or later on the PATH.
 */
public final class SentinelRedis implements AutoCloseable {

    /** The name the sentinels monitor the master by. */
    public static final String MASTER_NAME = "backplane-master";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final String dataPassword;
    private final String sentinelPassword;
    private final List<PrivateBroker> processes = new ArrayList<>();
    private final PrivateBroker master;
    private final PrivateBroker replica;
    private final List<PrivateBroker> sentinels = new ArrayList<>();
    private volatile PrivateBroker currentMaster;

    private SentinelRedis(String dataPassword, String sentinelPassword) {
        this.dataPassword = dataPassword;
        this.sentinelPassword = sentinelPassword;
        try {
            this.master = add(PrivateBroker.named("redis-sentinel-master").command(b -> server(b, null))
                    .readyTimeout(READY_TIMEOUT).start());
            this.currentMaster = master;
            this.replica = add(PrivateBroker.named("redis-sentinel-replica").command(b -> server(b, master))
                    .readyTimeout(READY_TIMEOUT).start());
            // Linked before the sentinels start, so that their first INFO of the master lists it
            // (they ask again only every 10 s).
            await(READY_TIMEOUT, "the replica's link to the master", () -> {
                try (Jedis r = server(replicaAddress())) {
                    return r.info("replication").contains("master_link_status:up") ? null : "not linked yet";
                }
            });
            for (int i = 1; i <= 3; i++) {
                sentinels.add(add(PrivateBroker.named("redis-sentinel-" + i).command(this::sentinel)
                        .readyTimeout(READY_TIMEOUT).start()));
            }
            awaitMonitored(READY_TIMEOUT);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A deployment without passwords. */
    public static SentinelRedis start() {
        return new SentinelRedis(null, null);
    }

    /**
     * A deployment whose servers require {@code dataPassword} (the default user's {@code requirepass},
     * and {@code masterauth} for replication) and whose sentinels require {@code sentinelPassword}.
     */
    public static SentinelRedis withPasswords(String dataPassword, String sentinelPassword) {
        return new SentinelRedis(dataPassword, sentinelPassword);
    }

    private PrivateBroker add(PrivateBroker process) {
        processes.add(process);
        return process;
    }

    /**
     * One deployment per test class, started before its first test and closed after its last:
     * {@code @RegisterExtension static final SentinelRedis.PerClass redis = new SentinelRedis.PerClass();}.
     */
    public static final class PerClass implements org.junit.jupiter.api.extension.BeforeAllCallback,
            org.junit.jupiter.api.extension.AfterAllCallback {
        private final String dataPassword;
        private final String sentinelPassword;
        private volatile SentinelRedis deployment;

        /** A deployment without passwords. */
        public PerClass() {
            this(null, null);
        }

        /** A deployment with passwords, as {@link SentinelRedis#withPasswords}. */
        public PerClass(String dataPassword, String sentinelPassword) {
            this.dataPassword = dataPassword;
            this.sentinelPassword = sentinelPassword;
        }

        @Override
        public void beforeAll(org.junit.jupiter.api.extension.ExtensionContext context) {
            deployment = new SentinelRedis(dataPassword, sentinelPassword);
        }

        @Override
        public void afterAll(org.junit.jupiter.api.extension.ExtensionContext context) {
            if (deployment != null) {
                deployment.close();
            }
        }

        /** The deployment of the running class. */
        public SentinelRedis get() {
            if (deployment == null) {
                throw new IllegalStateException("no Sentinel deployment: register SentinelRedis.PerClass as a static "
                        + "@RegisterExtension field");
            }
            return deployment;
        }
    }

    // ---------------------------------------------------------------- for clients

    /** The current master as a socket address, for a kit's connection count. */
    public java.net.InetSocketAddress masterSocketAddress() {
        HostAndPort m = masterAddress();
        return new java.net.InetSocketAddress(m.getHost(), m.getPort());
    }

    /** {@code scheme://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/?master=backplane-master}, no credentials. */
    public String uri(String scheme) {
        return scheme + "://" + sentinels.stream().map(s -> s.host() + ":" + s.port()).collect(Collectors.joining(","))
                + "/?master=" + MASTER_NAME;
    }

    /** The sentinels' addresses. */
    public List<HostAndPort> sentinelAddresses() {
        return sentinels.stream().map(s -> new HostAndPort(s.host(), s.port())).toList();
    }

    /** The server that is master now, as far as this fixture made it so (the first one until {@link #awaitPromotion}). */
    public HostAndPort masterAddress() {
        PrivateBroker m = currentMaster;
        return new HostAndPort(m.host(), m.port());
    }

    /** The replica the sentinels promote when the master is killed. */
    public HostAndPort replicaAddress() {
        return new HostAndPort(replica.host(), replica.port());
    }

    /** A Jedis connection to a server of this deployment (with the data password, if any). */
    public Jedis server(HostAndPort address) {
        return new Jedis(address, config(dataPassword));
    }

    /** A Jedis connection to a sentinel (with the sentinel password, if any). */
    public Jedis sentinel(HostAndPort address) {
        return new Jedis(address, config(sentinelPassword));
    }

    // ---------------------------------------------------------------- faults

    /**
     * SIGKILL of the master's process (that PID only): it gets no chance to flush or hand over.
     * The sentinels notice it after {@code down-after-milliseconds} and promote the replica.
     */
    public void killMaster() {
        if (currentMaster != master || !master.isRunning()) {
            throw new IllegalStateException("the first master was killed already");
        }
        master.kill();
    }

    /**
     * Waits until every sentinel names the replica as the master and the replica says it is one.
     *
     * @return the new master
     * @throws IllegalStateException if that does not happen within {@code timeout}
     */
    public HostAndPort awaitPromotion(Duration timeout) {
        HostAndPort promoted = replicaAddress();
        await(timeout, "every sentinel to name the replica " + promoted + " master of " + MASTER_NAME, () -> {
            for (HostAndPort s : sentinelAddresses()) {
                try (Jedis sentinel = sentinel(s)) {
                    List<String> named = sentinel.sentinelGetMasterAddrByName(MASTER_NAME);
                    if (named == null || !promoted.equals(new HostAndPort(named.get(0), Integer.parseInt(named.get(1))))) {
                        return "sentinel " + s + " names " + named;
                    }
                }
            }
            try (Jedis server = server(promoted)) {
                Object role = server.role().get(0);
                String name = role instanceof byte[] bytes ? new String(bytes, StandardCharsets.US_ASCII) : String.valueOf(role);
                return name.equals("master") ? null : "the replica's ROLE is still " + name;
            }
        });
        currentMaster = replica;
        return promoted;
    }

    /**
     * Stops both servers, the replica first: the sentinels stay, and cannot fail over with no
     * replica up. (A master stopped first waits for its replica on shutdown, long enough for the
     * sentinels to promote it.)
     */
    public void stopServers() {
        PrivateBroker m = currentMaster;
        PrivateBroker r = m == master ? replica : master;
        r.stop();
        m.stop();
    }

    /**
     * Starts both servers again on their ports, master first, and waits until the sentinels see
     * them both, the master where it was. Only before a failover.
     */
    public void startServers() {
        if (currentMaster != master) {
            throw new IllegalStateException("after a failover the servers are not started again: the old master's "
                    + "command line names no master");
        }
        master.start();
        // The replica only once no sentinel holds the master down any more: a replica up beside a
        // master they still hold down is one they would promote.
        await(READY_TIMEOUT, "every sentinel to see the master up again", () -> {
            for (HostAndPort s : sentinelAddresses()) {
                try (Jedis sentinel = sentinel(s)) {
                    String flags = sentinel.sentinelMaster(MASTER_NAME).get("flags");
                    if (!"master".equals(flags)) {
                        return "sentinel " + s + " sees the master as " + flags;
                    }
                }
            }
            return null;
        });
        replica.start();
        awaitMonitored(READY_TIMEOUT);
    }

    /** Stops every process this deployment started and deletes their directories. Idempotent. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            try {
                processes.get(i).close();
            } catch (RuntimeException e) {
                // close the others anyway
            }
        }
    }

    /** The deployment's processes, for messages. */
    public String description() {
        return "Redis Sentinel: master " + master.port() + ", replica " + replica.port() + ", sentinels "
                + sentinels.stream().map(s -> Integer.toString(s.port())).collect(Collectors.joining(","));
    }

    // ---------------------------------------------------------------- the processes

    private List<String> server(PrivateBroker broker, PrivateBroker replicaOf) {
        List<String> command = new ArrayList<>(List.of(executable(), "--bind", LoopbackPorts.LOOPBACK,
                "--port", Integer.toString(broker.port()), "--save", "", "--appendonly", "yes",
                "--appendfsync", "everysec", "--dir", broker.dataDirectory().toString()));
        if (dataPassword != null) {
            command.addAll(List.of("--requirepass", dataPassword, "--masterauth", dataPassword));
        }
        if (replicaOf != null) {
            command.addAll(List.of("--replicaof", replicaOf.host(), Integer.toString(replicaOf.port())));
        }
        return command;
    }

    /** Writes the sentinel's configuration once (the sentinel rewrites it with what it learns) and runs it. */
    private List<String> sentinel(PrivateBroker broker) {
        Path conf = broker.dataDirectory().resolve("sentinel.conf");
        if (!Files.exists(conf)) {
            List<String> lines = new ArrayList<>(List.of(
                    "bind " + LoopbackPorts.LOOPBACK,
                    "port " + broker.port(),
                    "dir " + broker.dataDirectory(),
                    "sentinel monitor " + MASTER_NAME + " " + master.host() + " " + master.port() + " 2",
                    "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                    "sentinel failover-timeout " + MASTER_NAME + " 3000",
                    "sentinel parallel-syncs " + MASTER_NAME + " 1"));
            if (dataPassword != null) {
                lines.add("sentinel auth-pass " + MASTER_NAME + " " + dataPassword);
            }
            if (sentinelPassword != null) {
                // The sentinels log in to each other with it too.
                lines.add("requirepass " + sentinelPassword);
                lines.add("sentinel sentinel-pass " + sentinelPassword);
            }
            try {
                Files.write(conf, lines, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write " + conf, e);
            }
        }
        return List.of(executable(), conf.toString(), "--sentinel");
    }

    private static String executable() {
        return BrokerProcess.findExecutable("redis-server").map(Object::toString).orElseThrow(() ->
                new IllegalStateException("no redis-server for the Sentinel tests: install redis-server "
                        + "(apt-get install -y redis-server, or run .ci/install-brokers)"));
    }

    /** Every sentinel sees the current master up, a replica up and linked, and the two other sentinels. */
    private void awaitMonitored(Duration timeout) {
        await(timeout, "the sentinels to see the master, the replica and each other", () -> {
            for (HostAndPort s : sentinelAddresses()) {
                try (Jedis sentinel = sentinel(s)) {
                    Map<String, String> m = sentinel.sentinelMaster(MASTER_NAME);
                    if (!Integer.toString(currentMaster.port()).equals(m.get("port"))) {
                        return "sentinel " + s + " names the master on port " + m.get("port") + ", not "
                                + currentMaster.port();
                    }
                    if (!"master".equals(m.get("flags")) || !"2".equals(m.get("num-other-sentinels"))) {
                        return "sentinel " + s + " sees the master as " + m.get("flags") + " with "
                                + m.get("num-other-sentinels") + " other sentinel(s)";
                    }
                    List<Map<String, String>> replicas = sentinel.sentinelReplicas(MASTER_NAME);
                    boolean up = replicas.stream().anyMatch(r -> "slave".equals(r.get("flags"))
                            && "ok".equals(r.get("master-link-status")));
                    if (!up) {
                        return "sentinel " + s + " sees no replica up: " + replicas;
                    }
                }
            }
            return null;
        });
    }

    private void await(Duration timeout, String what, Supplier<String> check) {
        Poll.until(timeout, what, check, this::description);
    }

    private static JedisClientConfig config(String password) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(2000).socketTimeoutMillis(2000);
        if (password != null) {
            config.password(password);
        }
        return config.build();
    }
}
