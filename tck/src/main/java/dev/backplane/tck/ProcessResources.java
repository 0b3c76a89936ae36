package dev.backplane.tck;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a backplane holds, for the resource rule (T42): the threads it started, found through the
 * thread group of the calls that opened and used it (so that other work in the JVM is not
 * counted), and the TCP connections this process has open to one address (read from
 * {@code /proc} on Linux; elsewhere they cannot be counted).
 */
final class ProcessResources {

    /**
     * Threads that belong to the JDK or the kit and may start or stay while a backplane lives
     * without being the backplane's own.
     */
    private static final List<String> SHARED_THREAD_NAMES = List.of("ForkJoinPool.commonPool-worker",
            "CompletableFutureDelayScheduler", "process reaper", "Attach Listener", "Common-Cleaner",
            "Reference Handler", "Finalizer", "Signal Dispatcher", "Notification Thread", "JFR ", "tck-worker-");

    private ProcessResources() {
    }

    /**
     * Runs {@code work} on a thread of {@code group} and waits for it, so that the threads the
     * work starts, and the threads those start, belong to {@code group} too (a thread joins its
     * creator's group); fails with what {@code work} threw.
     */
    static void inGroup(ThreadGroup group, Runnable work) {
        Throwable[] thrown = new Throwable[1];
        Thread runner = new Thread(group, () -> {
            try {
                work.run();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        }, "tck-worker-resources");
        runner.setDaemon(true);
        runner.start();
        try {
            runner.join(KitTimeouts.delivery().multipliedBy(3).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (runner.isAlive()) {
            throw new AssertionError("the calls of the resource rule did not return within "
                    + KitTimeouts.delivery().multipliedBy(3));
        }
        if (thrown[0] instanceof AssertionError a) {
            throw a;
        }
        if (thrown[0] != null) {
            throw new AssertionError(thrown[0].toString(), thrown[0]);
        }
    }

    /** The live threads of {@code group} and its subgroups, but the JDK's shared ones and the kit's. */
    static List<Thread> threadsOf(ThreadGroup group) {
        Thread[] threads = new Thread[group.activeCount() + 64];
        int n = group.enumerate(threads, true);
        return java.util.Arrays.stream(threads, 0, n)
                .filter(t -> t.isAlive() && SHARED_THREAD_NAMES.stream().noneMatch(t.getName()::startsWith))
                .sorted(java.util.Comparator.comparing(Thread::getName))
                .toList();
    }

    /** Whether connections can be counted here. */
    static boolean canCountConnections() {
        return Files.isReadable(Path.of("/proc/self/net/tcp")) && Files.isDirectory(Path.of("/proc/self/fd"));
    }

    /**
     * The established TCP connections of this process whose remote port is that of
     * {@code broker}, as the inodes of their sockets (so that a connection opened later is told
     * apart from one that was open before, whatever closes meanwhile).
     */
    static Set<String> connectionsTo(InetSocketAddress broker) {
        Set<String> inodes = socketInodes();
        Set<String> connections = new HashSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(path)) {
                lines.skip(1).map(String::trim).map(l -> l.split("\\s+"))
                        .filter(f -> f.length > 9 && f[3].equals("01") && remotePort(f[2]) == broker.getPort()
                                && inodes.contains(f[9]))
                        .forEach(f -> connections.add(f[9]));
            } catch (IOException e) {
                throw new AssertionError("could not read " + table + ": " + e, e);
            }
        }
        return connections;
    }

    private static int remotePort(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    private static Set<String> socketInodes() {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed while listing: not open any more
                }
            });
        } catch (IOException e) {
            throw new AssertionError("could not list /proc/self/fd: " + e, e);
        }
        return inodes;
    }
}
