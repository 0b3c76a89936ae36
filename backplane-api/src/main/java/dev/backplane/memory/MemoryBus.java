package dev.backplane.memory;

import dev.backplane.BrokerUnavailableException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The shared state behind every {@link MemoryBackplane} opened with one name in one JVM: what a
 * broker is to the other transports. {@link #stop()} and {@link #start()} simulate an outage, so
 * the compatibility kit's outage rules run against it too.
 */
public final class MemoryBus {

    private static final Map<String, MemoryBus> BUSES = new ConcurrentHashMap<>();

    private final String name;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Object runLock = new Object();
    private boolean running = true;

    private MemoryBus(String name) {
        this.name = name;
    }

    /** The bus of that name, created on first use. */
    public static MemoryBus named(String name) {
        return BUSES.computeIfAbsent(name, MemoryBus::new);
    }

    public String name() {
        return name;
    }

    /** Simulates a broker outage: publishes and new subscriptions fail, deliveries wait. */
    public void stop() {
        synchronized (runLock) {
            running = false;
        }
    }

    /** Ends a simulated outage: waiting deliveries go on, nothing retained is lost. */
    public void start() {
        synchronized (runLock) {
            running = true;
            runLock.notifyAll();
        }
    }

    public boolean isRunning() {
        synchronized (runLock) {
            return running;
        }
    }

    void requireRunning() {
        if (!isRunning()) {
            throw new BrokerUnavailableException("memory bus '" + name + "' is stopped");
        }
    }

    /** Blocks a delivery thread while the bus is stopped. */
    void awaitRunning() throws InterruptedException {
        synchronized (runLock) {
            while (!running) {
                runLock.wait();
            }
        }
    }

    Channel channel(String key) {
        return channels.computeIfAbsent(key, k -> new Channel());
    }

    /** One channel of one prefix: its retained log and its subscriptions. Guarded by itself. */
    static final class Channel {
        final ArrayDeque<Entry> log = new ArrayDeque<>();
        final Set<MemoryBackplane.MemorySubscription> subscriptions = new CopyOnWriteArraySet<>();
        long lastSequence;
    }

    record Entry(long sequence, byte[] payload) {
    }
}
