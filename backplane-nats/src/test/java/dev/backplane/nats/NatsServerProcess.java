package dev.backplane.nats;

import dev.backplane.fixture.LoopbackPorts;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A nats-server of the test's own, for the faults a shared fixture cannot make: frozen (SIGSTOP:
 * the connection stays open and nothing answers), killed (SIGKILL: no goodbye, the store as the
 * crash left it) and started again on the same port and store. It has a monitoring port, for the
 * server's own count of JetStream API requests. Never a default port; only the process this
 * class started is ever signalled.
 */
final class NatsServerProcess implements AutoCloseable {

    private static final Pattern API_TOTAL = Pattern.compile("\"api\"\\s*:\\s*\\{\\s*\"total\"\\s*:\\s*(\\d+)");

    private final String executable;
    private final int port = LoopbackPorts.freePort();
    private final int monitorPort = LoopbackPorts.freePort();
    private final Path directory;
    private final Thread reaper = new Thread(this::killQuietly, "nats-server-reaper");
    private final List<String> extraArguments;
    private Process process;
    private long cpuOfEarlierProcesses;

    NatsServerProcess() {
        this(List.of());
    }

    /** A server started with {@code extraArguments} after the usual ones (a cluster's, say). */
    NatsServerProcess(List<String> extraArguments) {
        this.extraArguments = List.copyOf(extraArguments);
        this.executable = Stream.of((System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin")
                        .split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, "nats-server")).filter(Files::isExecutable)
                .findFirst().map(Path::toString)
                .orElseThrow(() -> new IllegalStateException("these tests need nats-server on the PATH "
                        + "(Debian: apt-get install nats-server)"));
        try {
            this.directory = Files.createTempDirectory("backplane-nats-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(reaper);
        start();
    }

    String address() {
        return LoopbackPorts.LOOPBACK + ":" + port;
    }

    synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            List<String> command = new ArrayList<>(List.of(executable, "-a", LoopbackPorts.LOOPBACK, "-p",
                    Integer.toString(port), "-m", Integer.toString(monitorPort), "-js", "-sd",
                    directory.resolve("jetstream").toString()));
            command.addAll(extraArguments);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("nats-server.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start nats-server", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!LoopbackPorts.accepting(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("nats-server did not start on port " + port + "; see "
                        + directory.resolve("nats-server.log"));
            }
            sleep(5);
        }
    }

    int port() {
        return port;
    }

    /** Whether the process runs (it was started and not killed since). */
    synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** CPU time the server's processes used so far, killed ones included. */
    synchronized long cpuNanos() {
        return cpuOfEarlierProcesses + (process == null ? 0 : cpuOf(process));
    }

    private static long cpuOf(Process p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** SIGKILL, as a crash: returns once the process is gone. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        cpuOfEarlierProcesses += cpuOf(process);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        LoopbackPorts.awaitClosed(port, Duration.ofSeconds(10));
    }

    /** SIGSTOP: connections stay open, nothing is answered. Returns once every thread of it has stopped. */
    synchronized void freeze() {
        signal("STOP");
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!allStopped(tasks)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nats-server " + process.pid() + " did not stop");
            }
            sleep(1);
        }
    }

    /** Whether every thread in {@code /proc/PID/task} is in state T (stopped). */
    private static boolean allStopped(Path tasks) {
        try (Stream<Path> threads = Files.list(tasks)) {
            return threads.allMatch(t -> {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    return state == 'T' || state == 't';
                } catch (IOException e) {
                    return true; // the thread is gone
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGCONT. */
    synchronized void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        if (process == null) {
            return; // killed: nothing to signal
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How many JetStream API requests the server has handled, by its monitoring endpoint. */
    long apiRequests() {
        String jsz = monitor("/jsz");
        Matcher m = API_TOTAL.matcher(jsz);
        if (!m.find()) {
            throw new IllegalStateException("no API count in /jsz: " + jsz);
        }
        return Long.parseLong(m.group(1));
    }

    /** What the monitoring endpoint answers at {@code path} ({@code /jsz?consumers=true}, say). */
    String monitor(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + LoopbackPorts.LOOPBACK + ":" + monitorPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            thawQuietly();
            kill();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    private synchronized void killQuietly() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private void thawQuietly() {
        try {
            signal("CONT");
        } catch (RuntimeException e) {
            // it was not frozen, or is gone
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "nats-server at " + address() + " (test's own process)";
    }
}
