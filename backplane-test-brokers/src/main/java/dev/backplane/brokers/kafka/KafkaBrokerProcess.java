package dev.backplane.brokers.kafka;

import dev.backplane.brokers.Broker;
import dev.backplane.fixture.LoopbackPorts;
import dev.backplane.fixture.ProcessSignals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (KRaft) in a child JVM of its own, so that a test can kill it
 * the way an operator or a crash does: {@link #kill()} sends SIGKILL, the broker gets no chance to
 * shut down, and {@link #start()} brings up a new process on the same ports and log directory,
 * which recovers its log as after a crash. {@link #stop()} is a clean shutdown (SIGTERM).
 *
 * <p>The child runs the same {@link EmbeddedKafkaBroker} on this JVM's class path, with the same
 * {@link KafkaSecurity} (passed as broker properties; SASL users are created from this side once
 * it runs), binds 127.0.0.1 only, writes its log to {@code broker.log} in its directory, and exits by itself when this JVM
 * goes away (it watches its standard input). {@link #close()} kills it and deletes the directory.
 */
public final class KafkaBrokerProcess implements Broker {

    private static final String READY = "KAFKA-BROKER-READY";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path directory;
    private final KafkaPorts ports;
    private final String clusterId;
    private final String heap;
    private final KafkaSecurity security;
    private final Map<String, String> overrides;
    private final Thread reaper = new Thread(this::close, "kafka-broker-process-reaper");
    private Process process;
    private boolean closed;

    /** Starts a broker with {@link EmbeddedKafkaBroker}'s defaults. */
    public KafkaBrokerProcess() {
        this(Map.of());
    }

    /** Starts a broker with {@code overrides} of {@link EmbeddedKafkaBroker#config()}'s properties. */
    public KafkaBrokerProcess(Map<String, String> overrides) {
        this(KafkaSecurity.plaintext(), overrides);
    }

    /**
     * Starts a broker whose client listener is secured as {@code security} says, with
     * {@code overrides} of {@link EmbeddedKafkaBroker#config()}'s properties and the security's,
     * and creates its SASL users; returns once they can log in.
     */
    public KafkaBrokerProcess(KafkaSecurity security, Map<String, String> overrides) {
        this(KafkaPorts.pick(), Uuid.randomUuid().toString(), security, overrides, "-Xmx512m");
        start();
        try {
            security.createScramUsers(ports, description());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * A node that is not started yet, on {@code ports}, of cluster {@code clusterId}, with the JVM
     * heap option {@code heap}: for {@link KafkaCluster}, whose nodes must start together.
     */
    KafkaBrokerProcess(KafkaPorts ports, String clusterId, KafkaSecurity security, Map<String, String> overrides,
            String heap) {
        this.ports = ports;
        this.clusterId = clusterId;
        this.heap = heap;
        this.security = security;
        this.overrides = Map.copyOf(overrides);
        try {
            this.directory = Files.createTempDirectory("backplane-kafka-process-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a directory for the Kafka broker process", e);
        }
        Runtime.getRuntime().addShutdownHook(reaper);
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
        return "Kafka (KRaft) at " + address() + (security.secured() ? " (" + security + ")" : "")
                + " (a child JVM, log in " + directory.resolve("broker.log") + ")";
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

    /** Starts the broker process unless it runs; returns once the broker is unfenced and answers clients. */
    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException(description() + " is closed");
        }
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"),
                KafkaBrokerProcess.class.getName(),
                directory.toString(), Integer.toString(ports.client()), Integer.toString(ports.internal()),
                Integer.toString(ports.controller()), clusterId));
        security.brokerProperties(ports).forEach((k, v) -> command.add(k + "=" + v));
        overrides.forEach((k, v) -> command.add(k + "=" + v));
        Process started;
        try {
            started = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(directory.resolve("broker.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a JVM for " + description(), e);
        }
        process = started;
        awaitReady(started);
    }

    /** Shuts the broker down cleanly (SIGTERM); returns once the process has exited and the port is closed. */
    @Override
    public synchronized void stop() {
        end(false);
    }

    /** Kills the broker process (SIGKILL); returns once it is gone and its port refuses connections. */
    public synchronized void kill() {
        end(true);
    }

    /** Pauses the broker's JVM with SIGSTOP, as a hang: its sockets stay open and nothing answers until {@link #resume()}. */
    @Override
    public synchronized void pause() {
        ProcessSignals.pause(process, description());
    }

    /** Resumes a broker {@linkplain #pause() paused} with SIGSTOP (SIGCONT). */
    @Override
    public synchronized void resume() {
        ProcessSignals.resume(process, description());
    }

    /** Whether the broker process runs now. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the broker if it runs and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            end(true);
        } finally {
            EmbeddedKafkaBroker.deleteTree(directory);
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
    }

    private void end(boolean kill) {
        Process running = process;
        process = null;
        if (running == null || !running.isAlive()) {
            return;
        }
        if (kill) {
            running.destroyForcibly();
        } else {
            running.destroy();
        }
        try {
            if (!running.waitFor(30, TimeUnit.SECONDS)) {
                running.destroyForcibly();
                running.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.destroyForcibly();
        }
        LoopbackPorts.awaitClosed(ports.client(), Duration.ofSeconds(10));
    }

    /** Reads the child's standard output until it says it is ready; keeps draining it after that. */
    private void awaitReady(Process started) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(started.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.equals(READY)) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // the process went away
            }
            ready.completeExceptionally(new IllegalStateException("the process ended before the broker was ready"));
        }, "kafka-broker-process-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            started.destroyForcibly();
            throw new IllegalStateException(description() + " did not start within " + START_TIMEOUT + ": "
                    + (e instanceof ExecutionException ? e.getCause().getMessage() : "no answer") + "; its log ends with:\n"
                    + logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.destroyForcibly();
            throw new IllegalStateException("interrupted while starting " + description(), e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(directory.resolve("broker.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * The child: {@code DIRECTORY PORT INTERNAL_PORT CONTROLLER_PORT CLUSTER_ID [property=value ...]}
     * (the security's properties among them). Starts the
     * broker, prints the ready line, and stops it cleanly on SIGTERM or when its standard input
     * closes (the parent is gone).
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> overrides = new java.util.HashMap<>();
        for (int i = 5; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            overrides.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        KafkaPorts ports = new KafkaPorts(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(Path.of(args[0]), false, ports, args[4],
                KafkaSecurity.plaintext(), overrides);
        System.out.println(READY);
        System.out.flush();
        while (System.in.read() >= 0) {
            // nothing is sent; end of input means the parent is gone
        }
        broker.close();
        System.exit(0);
    }
}
