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
 *
 * <p>A bus lives while a backplane is open on it: when the last one closes, the bus and what it
 * retained are dropped (unless it is stopped, so that a test's outage outlasts its backplanes).
 * A channel's state is dropped once it has no subscription and retains nothing.
 */
public final class MemoryBus {

    private static final Map<String, MemoryBus> BUSES = new ConcurrentHashMap<>();

    private final String name;
    private final Map<Key, Channel> channels = new ConcurrentHashMap<>();
    private final Object runLock = new Object();
    private final java.util.List<java.util.function.Consumer<Boolean>> runListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean running = true;
    private int openBackplanes; // guarded by BUSES' entry for this name (compute)

    private MemoryBus(String name) {
        this.name = name;
    }

    /** The bus of that name, created on first use. */
    public static MemoryBus named(String name) {
        return BUSES.computeIfAbsent(name, MemoryBus::new);
    }

    /** A backplane opens on the bus of that name. */
    static MemoryBus acquire(String name) {
        return BUSES.compute(name, (n, bus) -> {
            MemoryBus b = bus == null ? new MemoryBus(n) : bus;
            b.openBackplanes++;
            return b;
        });
    }

    /** A backplane on this bus closed; the last one drops the bus unless it is stopped. */
    void release() {
        BUSES.computeIfPresent(name, (n, bus) -> {
            if (bus != this) {
                return bus;
            }
            bus.openBackplanes--;
            return bus.openBackplanes <= 0 && bus.isRunning() ? null : bus;
        });
    }

    /** Whether a bus of that name exists now, for tests. */
    static boolean exists(String name) {
        return BUSES.containsKey(name);
    }

    public String name() {
        return name;
    }

    /**
     * Simulates a broker outage: publishes and new subscriptions fail, and every backplane on the
     * bus reports its connection lost.
     */
    public void stop() {
        synchronized (runLock) {
            running = false;
            runListeners.forEach(l -> l.accept(false));
        }
    }

    /** Ends a simulated outage: nothing retained is lost, and every backplane on the bus reports its connection restored. */
    public void start() {
        synchronized (runLock) {
            running = true;
            runListeners.forEach(l -> l.accept(true));
        }
    }

    /**
     * Tells {@code listener} whether the bus runs, now and at every stop and start, until the
     * returned handle is run. It is called under the bus's run lock: quick, never blocking.
     */
    Runnable watchRunning(java.util.function.Consumer<Boolean> listener) {
        synchronized (runLock) {
            runListeners.add(listener);
            listener.accept(running);
        }
        return () -> runListeners.remove(listener);
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

    /** The state of one prefix's channel, created on first use; work on it under its lock. */
    Channel channel(String prefix, String channel) {
        Key key = new Key(prefix, channel);
        Channel state = channels.get(key);
        return state != null ? state : channels.computeIfAbsent(key, Channel::new);
    }

    /** Drops a channel's state if it has no subscription and retains nothing. Call under its lock. */
    void dropIfUnused(Channel channel) {
        if (channel.subscriptions.isEmpty() && channel.log.isEmpty()) {
            channels.remove(channel.key, channel);
            channel.dropped = true;
        }
    }

    /** Channels with state, for tests. */
    int channelCount() {
        return channels.size();
    }

    /** One channel of one prefix: its retained log and its subscriptions. Guarded by itself. */
    static final class Channel {
        final Key key;
        final ArrayDeque<Entry> log = new ArrayDeque<>();
        final Set<MemoryBackplane.MemorySubscription> subscriptions = new CopyOnWriteArraySet<>();
        long lastSequence;
        // Set once removed from the bus: a publisher or subscriber holding it must take the bus's new one.
        boolean dropped;

        Channel(Key key) {
            this.key = key;
        }
    }

    /**
     * A channel of a prefix. Kept as the two names rather than one joined string: both are strings
     * a backplane holds and passes on each publish, whose hash codes are cached, so a look-up
     * neither builds nor hashes a new string.
     */
    record Key(String prefix, String channel) {

        @Override
        public int hashCode() {
            return 31 * prefix.hashCode() + channel.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.channel.equals(channel) && k.prefix.equals(prefix);
        }
    }

    record Entry(long sequence, byte[] payload) {
    }
}
