package dev.backplane.brokers.kafka;

import dev.backplane.brokers.Broker;
import dev.backplane.fixture.LoopbackPorts;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one node) running inside the
 * test JVM, from the Maven artifacts alone.
 *
 * <p>It binds 127.0.0.1 only, on ports chosen once (client listener and controller listener, and
 * with a {@link KafkaSecurity} that secures the client listener an internal PLAINTEXT listener
 * too, see {@link #internalAddress()}), and keeps its log directory in a temporary directory of
 * its own. It is started by the
 * constructor. {@link #stop()} shuts it down cleanly (clients then see refused connections);
 * {@link #start()} brings it back on the same ports with the same log directory, so everything it
 * accepted survives. {@link #close()} stops it and deletes the directory.
 *
 * <p>A broker that hits a fatal fault asks Kafka's {@link Exit} to halt the JVM, which would kill
 * the test run without a report; while this class is loaded such a request throws instead, so the
 * test fails with the broker's message.
 */
public final class EmbeddedKafkaBroker implements Broker {

    private static final int NODE_ID = 1;
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = KafkaSecurity.CONTROLLER_LISTENER;

    static {
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("the in-JVM Kafka broker asked to exit the JVM (status " + status + "): " + message);
        });
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("the in-JVM Kafka broker asked to halt the JVM (status " + status + "): " + message);
        });
    }

    private final Path directory;
    private final boolean ownsDirectory;
    private final Path logDir;
    private final KafkaPorts ports;
    private final String clusterId;
    private final KafkaSecurity security;
    private final Map<String, String> overrides;
    // Stops before deleting: a running broker would write its metadata log again after a bare delete.
    private final Thread cleaner = new Thread(this::close, "embedded-kafka-cleaner");
    private KafkaRaftServer server;
    private boolean formatted;
    private boolean closed;

    /** Starts a broker with the defaults of {@link #config()}. */
    public EmbeddedKafkaBroker() {
        this(Map.of());
    }

    /**
     * Starts a broker.
     *
     * @param overrides broker properties that replace or extend the defaults, e.g.
     *     {@code Map.of("message.max.bytes", "2097152")}
     */
    public EmbeddedKafkaBroker(Map<String, String> overrides) {
        this(KafkaSecurity.plaintext(), overrides);
    }

    /**
     * Starts a broker whose client listener is secured as {@code security} says, and creates its
     * SASL users; returns once they can log in.
     *
     * @param overrides broker properties that replace or extend the defaults and the security's
     */
    public EmbeddedKafkaBroker(KafkaSecurity security, Map<String, String> overrides) {
        this(newDirectory(), true, KafkaPorts.pick(), Uuid.randomUuid().toString(), security, overrides);
        try {
            security.createScramUsers(ports, description());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts a broker in {@code directory} (its log directory is formatted on the first start and
     * kept as it is after that) on the ports given, for {@link KafkaBrokerProcess}, which runs one
     * such broker per child JVM on one directory, passing the security's properties as overrides.
     */
    EmbeddedKafkaBroker(Path directory, boolean ownsDirectory, KafkaPorts ports, String clusterId,
            KafkaSecurity security, Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>(security.brokerProperties(ports));
        all.putAll(overrides);
        this.overrides = Map.copyOf(all);
        this.security = security;
        this.directory = directory;
        this.ownsDirectory = ownsDirectory;
        this.logDir = directory.resolve("kraft-combined-logs");
        this.formatted = Files.exists(logDir.resolve("meta.properties"));
        this.ports = ports;
        this.clusterId = clusterId;
        Runtime.getRuntime().addShutdownHook(cleaner);
        start();
    }

    private static Path newDirectory() {
        try {
            return Files.createTempDirectory("backplane-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a log directory for the in-JVM Kafka broker", e);
        }
    }

    /**
     * {@code host:port} of a PLAINTEXT listener whose clients are super users, for a test's set-up
     * (topics, ACLs): the internal listener of a {@linkplain KafkaSecurity#secured() secured}
     * broker, else {@link #address()}.
     */
    public String internalAddress() {
        return security.secured() ? KafkaPorts.address(ports.internal()) : address();
    }

    /** How the client listener is secured. */
    public KafkaSecurity security() {
        return security;
    }

    @Override
    public String description() {
        return "Kafka " + AppInfoParser.getVersion() + " (KRaft) at " + address()
                + (security.secured() ? " (" + security + ")" : "") + " (in this JVM, logs in " + logDir + ")";
    }

    @Override
    public String host() {
        return LoopbackPorts.LOOPBACK;
    }

    @Override
    public int port() {
        return ports.client();
    }

    @Override
    public boolean controllable() {
        return true;
    }

    /** Formats the log directory on the first call, then starts the node; returns once the broker is unfenced. */
    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException(description() + " is closed");
        }
        if (server != null) {
            return;
        }
        KafkaConfig kafkaConfig = new KafkaConfig(config(), false);
        if (!formatted) {
            format(kafkaConfig);
            formatted = true;
        }
        KafkaRaftServer starting = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
        try {
            // Starts controller and broker and waits (bounded by server.max.startup.time.ms) until
            // the broker has caught up with the metadata log and is unfenced.
            starting.startup();
        } catch (RuntimeException | Error e) {
            try {
                starting.shutdown();
                starting.awaitShutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        server = starting;
    }

    /** Shuts the node down cleanly; returns once the client port refuses connections. Data stays on disk. */
    @Override
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        stopping.shutdown();
        stopping.awaitShutdown();
        LoopbackPorts.awaitClosed(ports.client(), Duration.ofSeconds(10));
    }

    /** Whether the node runs now. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * The broker properties in force: fast single-node defaults (a PLAINTEXT client listener)
     * overlaid with the security's properties and the constructor's overrides.
     */
    public Map<String, String> config() {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + KafkaPorts.address(ports.controller()));
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("listeners", CLIENT_LISTENER + "://" + address() + "," + CONTROLLER_LISTENER + "://"
                + KafkaPorts.address(ports.controller()));
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + address());
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", logDir.toString());

        // One node: every replication factor is 1.
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");

        // Short heartbeats and session: a restart takes about half a second instead of many.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "3000");
        p.put("controlled.shutdown.enable", "true");
        p.put("server.max.startup.time.ms", "60000");

        // Few threads: several test JVMs share two cores.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("num.replica.fetchers", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.putAll(overrides);
        return p;
    }

    /** Stops the node if it runs and deletes its directory (if it created it). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            closed = true;
            if (ownsDirectory) {
                deleteTree(directory);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(cleaner);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private void format(KafkaConfig kafkaConfig) {
        try {
            Files.createDirectories(logDir);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(kafkaConfig.nodeId())
                    .setClusterId(clusterId)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setUnstableFeatureVersionsEnabled(kafkaConfig.unstableFeatureVersionsEnabled())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(kafkaConfig.metadataLogDir())
                    .addDirectory(logDir.toString())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("formatting the Kafka log directory " + logDir + " failed", e);
        }
    }

    /** Deletes {@code directory} and everything in it, as far as it can. */
    static void deleteTree(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
