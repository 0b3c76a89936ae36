package dev.backplane.brokers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A broker in a private child process on an ephemeral loopback port, with its own data directory.
 * Stopped and started on the same port and directory; killed when the JVM exits.
 */
final class BrokerProcess implements Broker {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private final int port;
    private final Path directory;
    private final Function<BrokerProcess, List<String>> command;
    private final Thread reaper = new Thread(this::kill, "broker-process-reaper");
    private Process process;

    BrokerProcess(String name, Function<BrokerProcess, List<String>> command) {
        this.name = name;
        this.command = command;
        this.port = LoopbackPorts.freePort();
        try {
            this.directory = Files.createTempDirectory("backplane-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a data directory for " + name, e);
        }
        Runtime.getRuntime().addShutdownHook(reaper);
        start();
    }

    /** The executable on the PATH, if any. */
    static Optional<Path> findExecutable(String executable) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/usr/bin";
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, executable))
                .filter(Files::isExecutable)
                .findFirst();
    }

    Path directory() {
        return directory;
    }

    @Override
    public String description() {
        return name + " at " + address() + " (private process, data in " + directory + ")";
    }

    @Override
    public String host() {
        return LoopbackPorts.LOOPBACK;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public boolean controllable() {
        return true;
    }

    @Override
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        Path log = directory.resolve(name + ".log");
        try {
            process = new ProcessBuilder(command.apply(this))
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!LoopbackPorts.accepting(port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " on port " + port
                        + "; its log: " + tail(log));
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException(name + " did not accept connections on port " + port + " within "
                        + READY_TIMEOUT + "; its log: " + tail(log));
            }
            LoopbackPorts.sleep(5);
        }
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
        LoopbackPorts.awaitClosed(port, Duration.ofSeconds(10));
    }

    /** SIGKILL: the process gets no chance to flush or say goodbye. */
    @Override
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        LoopbackPorts.awaitClosed(port, Duration.ofSeconds(10));
    }

    @Override
    public synchronized void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        deleteDirectory();
    }

    private void deleteDirectory() {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
