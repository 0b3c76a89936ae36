package dev.backplane.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link ChaosNodeMain} in a JVM of its own, driven through its standard streams. */
final class NodeProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    NodeProcess(String name, String uri, String hub, int clients, int groups, int allEvery, Duration heartbeat,
            Path log) {
        this.name = name;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                ChaosNodeMain.class.getName(), uri, hub, name, Integer.toString(clients), Integer.toString(groups),
                Long.toString(heartbeat.toMillis()), Integer.toString(allEvery)));
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start node " + name, e);
        }
        commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "chaos-" + name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    String name() {
        return name;
    }

    /** SIGSTOP: the node freezes, its sockets open. */
    void pause() {
        dev.backplane.fixture.ProcessSignals.pause(process, "node " + name);
    }

    /** SIGCONT after {@link #pause()}. */
    void resume() {
        dev.backplane.fixture.ProcessSignals.resume(process, "node " + name);
    }

    /** SIGKILL; returns once the process is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + name + " did not die of SIGKILL within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted killing node " + name);
        }
    }

    /** Whether its process runs. */
    boolean alive() {
        return process.isAlive();
    }

    /** Waits for READY; returns the node's hub id. */
    synchronized String awaitReady(Duration timeout) {
        String line = next("READY", timeout);
        return line.split(" ")[2];
    }

    /** How many messages its clients received in all, so far. */
    long received(Duration timeout) {
        return counts(timeout)[0];
    }

    /** How many nodes it declared dead so far. */
    long declaredDead(Duration timeout) {
        return counts(timeout)[1];
    }

    /** Its live heap in bytes, threads and open file descriptors, now. */
    synchronized long[] sample(Duration timeout) {
        commands.println("SAMPLE");
        String[] parts = next("SAMPLE", timeout).split(" ");
        return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3])};
    }

    private synchronized long[] counts(Duration timeout) {
        commands.println("COUNT");
        String[] parts = next("COUNT", timeout).split(" ");
        return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    }

    /** Asks for the report of what its clients received. */
    synchronized JsonNode report(List<Long> readyMicros, long fromMicros, long toMicros, Duration timeout) {
        String ready = readyMicros.isEmpty() ? "-"
                : String.join(",", readyMicros.stream().map(String::valueOf).toList());
        commands.println("REPORT " + ready + " " + fromMicros + " " + toMicros);
        try {
            return JSON.readTree(next("REPORT", timeout).substring("REPORT ".length()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String next(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line;
            try {
                line = left <= 0 ? null : lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)),
                        TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for node " + name);
            }
            if (line == null && (left <= 0 || !process.isAlive())) {
                throw new IllegalStateException("node " + name + " did not answer " + prefix + " within " + timeout
                        + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + "; see its log)"));
            }
            if (line == null) {
                continue;
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    @Override
    public void close() {
        commands.println("STOP");
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
