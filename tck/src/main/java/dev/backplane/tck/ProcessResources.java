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
 * What this JVM holds, for the resource rule (T42): the live threads, and the TCP connections it
 * has open to one address (read from {@code /proc} on Linux; elsewhere they cannot be counted).
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

    /** The threads alive now. */
    static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /** Threads alive now that were not in {@code before} and are not the JDK's or the kit's. */
    static List<Thread> startedSince(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .filter(t -> SHARED_THREAD_NAMES.stream().noneMatch(t.getName()::startsWith))
                .sorted(java.util.Comparator.comparing(Thread::getName))
                .toList();
    }

    /** Whether connections can be counted here. */
    static boolean canCountConnections() {
        return Files.isReadable(Path.of("/proc/self/net/tcp")) && Files.isDirectory(Path.of("/proc/self/fd"));
    }

    /** Established TCP connections of this process whose remote port is that of {@code broker}. */
    static int connectionsTo(InetSocketAddress broker) {
        Set<String> inodes = socketInodes();
        int count = 0;
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            try (Stream<String> lines = Files.lines(path)) {
                count += (int) lines.skip(1).map(String::trim).map(l -> l.split("\\s+"))
                        .filter(f -> f.length > 9 && f[3].equals("01") && remotePort(f[2]) == broker.getPort()
                                && inodes.contains(f[9]))
                        .count();
            } catch (IOException e) {
                throw new AssertionError("could not read " + table + ": " + e, e);
            }
        }
        return count;
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
