package dev.backplane.benchmark.brokers;

import dev.backplane.fixture.LoopbackPorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A broker this benchmark started: a child process on an ephemeral loopback port with a data
 * directory of its own. {@link #close} stops it and deletes the directory; a shutdown hook kills
 * it if the benchmark ends otherwise.
 */
final class BrokerProcess implements AutoCloseable {

    private static final long READY_MILLIS = 60_000;

    private final String name;
    private final Process process;
    private final Path directory;
    private final Thread reaper;

    private BrokerProcess(String name, Process process, Path directory) {
        this.name = name;
        this.process = process;
        this.directory = directory;
        this.reaper = new Thread(process::destroyForcibly, "bench-" + name + "-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts {@code command(directory)} and returns once {@code port} accepts connections. */
    static BrokerProcess listening(String name, int port, Function<Path, List<String>> command) {
        Path directory = newDirectory(name);
        Path log = directory.resolve(name + ".log");
        Process process = start(name, new ProcessBuilder(command.apply(directory)).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()));
        BrokerProcess broker = new BrokerProcess(name, process, directory);
        long deadline = System.currentTimeMillis() + READY_MILLIS;
        while (!LoopbackPorts.accepting(port)) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                String tail = tail(log);
                broker.close();
                throw new IllegalStateException(name + (process.isAlive() ? " did not listen on port " + port
                        + " within " + READY_MILLIS / 1000 + " s" : " exited with " + process.exitValue()) + "; its log:\n" + tail);
            }
            sleep(10);
        }
        return broker;
    }

    /**
     * Starts a child that announces itself with one line on its standard output, and returns that
     * line. The child is told to stop by the end of its standard input.
     */
    static BrokerProcess announcing(String name, List<String> command, String[] announcement) {
        Path directory = newDirectory(name);
        Path log = directory.resolve(name + ".log");
        Process process = start(name, new ProcessBuilder(command).directory(directory.toFile())
                .redirectError(log.toFile()));
        BrokerProcess broker = new BrokerProcess(name, process, directory);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null) {
                process.waitFor(10, TimeUnit.SECONDS);
                String tail = tail(log);
                broker.close();
                throw new IllegalStateException(name + " ended before it was ready; its log:\n" + tail);
            }
            announcement[0] = line;
        } catch (IOException e) {
            broker.close();
            throw new UncheckedIOException("could not read what " + name + " printed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broker.close();
            throw new IllegalStateException("interrupted while starting " + name, e);
        }
        return broker;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // it may be gone already
        }
        try {
            if (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                process.destroy();
            }
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary directory is harmless
        }
    }

    private static Process start(String name, ProcessBuilder builder) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + " (" + builder.command().get(0) + ")", e);
        }
    }

    private static Path newDirectory(String name) {
        try {
            return Files.createTempDirectory("backplane-bench-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a data directory for " + name, e);
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
