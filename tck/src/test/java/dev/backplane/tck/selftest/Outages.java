package dev.backplane.tck.selftest;

import dev.backplane.memory.MemoryBus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Simulated broker outages of one memory bus, as the kit's {@code BrokerControl} for the faulty
 * backplanes: it stops and starts the bus and tells the decorators, which cannot otherwise see a
 * bus stop, that an outage happened (its epoch) and that the bus is back (restart listeners).
 */
final class Outages {

    private static final Map<String, Outages> BY_BUS = new ConcurrentHashMap<>();

    private final MemoryBus bus;
    private final AtomicInteger epoch = new AtomicInteger();
    private final List<Runnable> restartListeners = new CopyOnWriteArrayList<>();
    private final List<Long> outageNanos = new CopyOnWriteArrayList<>();
    private volatile long stoppedAt;

    private Outages(String bus) {
        this.bus = MemoryBus.named(bus);
    }

    static Outages of(String bus) {
        return BY_BUS.computeIfAbsent(bus, Outages::new);
    }

    /** Takes the bus down; a new epoch starts. */
    void stop() {
        stoppedAt = System.nanoTime();
        epoch.incrementAndGet();
        bus.stop();
    }

    /** Brings the bus back, then tells every listener. */
    void start() {
        outageNanos.add(System.nanoTime() - stoppedAt);
        bus.start();
        restartListeners.forEach(Runnable::run);
    }

    /** The longest of the outages that began after epoch {@code epoch} and have ended, in nanoseconds. */
    long longestOutageSince(int epoch) {
        return outageNanos.stream().skip(epoch).mapToLong(Long::longValue).max().orElse(0);
    }

    boolean running() {
        return bus.isRunning();
    }

    /** How many outages have begun. */
    int epoch() {
        return epoch.get();
    }

    /** Calls {@code listener} after each restart until the returned handle is closed. */
    AutoCloseable onRestart(Runnable listener) {
        restartListeners.add(listener);
        return () -> restartListeners.remove(listener);
    }
}
