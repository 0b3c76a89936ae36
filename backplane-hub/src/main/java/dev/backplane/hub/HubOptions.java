package dev.backplane.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.BackplaneResources;
import dev.backplane.Gap;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a node or context takes part in a hub. Start from {@link #of(String)} and adjust with the
 * {@code with...} methods.
 *
 * @param hub the hub's name; nodes and contexts with different names never see each other
 * @param heartbeatInterval how often a node announces itself (default 1 s)
 * @param missedHeartbeats how many intervals without a word before a node is declared dead (default 3)
 * @param snapshotEvery every how many heartbeats one carries the node's full state (default 10)
 * @param commandTimeout how long a group add/remove waits for the owner node (default 5 s)
 * @param invocationTimeout the longest a client may take to answer, on the owner's side (default 5 min);
 *     each call of {@link HubContext#invokeJson} gives its own, shorter, wait
 * @param dedupCapacity how many recent message ids a node remembers to drop duplicates (default 16384)
 * @param connectionBuffer how many messages and invocations may wait for one connection's sink
 *     (default 1024); a connection whose sink stays further behind for longer than
 *     {@code slowClientGrace}, or falls {@link #connectionHardLimit()} behind, is disconnected, see
 *     {@link ConnectionSink#disconnected}
 * @param slowClientGrace how long a connection may stay over {@code connectionBuffer} (default 2 s),
 *     so that a burst a fast client drains in that time (a broker that released what it held, say)
 *     costs nobody their connection; zero disconnects at the buffer
 * @param gapListener told when the transport reports a possible loss (default: nothing beyond the log)
 * @param objectMapper serializes arguments and results (default: a plain {@link ObjectMapper})
 * @param sinkThreads how many threads call the connections' sinks, whatever the number of
 *     connections (default: the number of cores, at least 2); each drains one connection's waiting
 *     messages at a time, in order
 * @param resources where the futures this node returns complete (its callback executor; default
 *     {@link BackplaneResources#defaults()}): never on a backplane, sink or timer thread, so a
 *     callback may block or call the hub again
 */
public record HubOptions(String hub, Duration heartbeatInterval, int missedHeartbeats, int snapshotEvery,
        Duration commandTimeout, Duration invocationTimeout, int dedupCapacity, int connectionBuffer,
        Duration slowClientGrace, Consumer<Gap> gapListener, ObjectMapper objectMapper, int sinkThreads, BackplaneResources resources) {

    private static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper();

    /** How many times {@link #connectionBuffer()} a connection may fall behind within its grace. */
    public static final int HARD_LIMIT_FACTOR = 8;

    public HubOptions {
        Objects.requireNonNull(hub, "hub");
        if (hub.isEmpty()) {
            throw new IllegalArgumentException("hub name must not be empty");
        }
        requirePositive(heartbeatInterval, "heartbeatInterval");
        requirePositive(commandTimeout, "commandTimeout");
        requirePositive(invocationTimeout, "invocationTimeout");
        if (missedHeartbeats < 1) {
            throw new IllegalArgumentException("missedHeartbeats must be at least 1, was " + missedHeartbeats);
        }
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("snapshotEvery must be at least 1, was " + snapshotEvery);
        }
        if (dedupCapacity < 16) {
            throw new IllegalArgumentException("dedupCapacity must be at least 16, was " + dedupCapacity);
        }
        if (connectionBuffer < 1) {
            throw new IllegalArgumentException("connectionBuffer must be at least 1, was " + connectionBuffer);
        }
        Objects.requireNonNull(slowClientGrace, "slowClientGrace");
        if (slowClientGrace.isNegative()) {
            throw new IllegalArgumentException("slowClientGrace must not be negative, was " + slowClientGrace);
        }
        Objects.requireNonNull(gapListener, "gapListener");
        Objects.requireNonNull(objectMapper, "objectMapper");
        if (sinkThreads < 1) {
            throw new IllegalArgumentException("sinkThreads must be at least 1, was " + sinkThreads);
        }
        Objects.requireNonNull(resources, "resources");
    }

    /** The defaults for the hub {@code hub}. */
    public static HubOptions of(String hub) {
        return new HubOptions(hub, Duration.ofSeconds(1), 3, 10, Duration.ofSeconds(5), Duration.ofMinutes(5),
                16_384, 1024, Duration.ofSeconds(2), gap -> { }, DEFAULT_MAPPER, Math.max(2, Runtime.getRuntime().availableProcessors()),
                BackplaneResources.defaults());
    }

    public HubOptions withHub(String hub) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, snapshotEvery, commandTimeout,
                invocationTimeout, dedupCapacity, connectionBuffer, slowClientGrace, gapListener, objectMapper, sinkThreads, resources);
    }

    public HubOptions withHeartbeat(Duration interval, int missed) {
        return new HubOptions(hub, interval, missed, snapshotEvery, commandTimeout, invocationTimeout,
                dedupCapacity, connectionBuffer, slowClientGrace, gapListener, objectMapper, sinkThreads, resources);
    }

    public HubOptions withSnapshotEvery(int heartbeats) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, heartbeats, commandTimeout,
                invocationTimeout, dedupCapacity, connectionBuffer, slowClientGrace, gapListener, objectMapper, sinkThreads, resources);
    }

    public HubOptions withCommandTimeout(Duration timeout) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, snapshotEvery, timeout, invocationTimeout,
                dedupCapacity, connectionBuffer, slowClientGrace, gapListener, objectMapper, sinkThreads, resources);
    }

    public HubOptions withInvocationTimeout(Duration timeout) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, snapshotEvery, commandTimeout, timeout,
                dedupCapacity, connectionBuffer, slowClientGrace, gapListener, objectMapper, sinkThreads, resources);
    }

    public HubOptions withDedupCapacity(int capacity) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, snapshotEvery, commandTimeout,
                invocationTimeout, capacity, connectionBuffer, slowClientGrace, gapListener, objectMapper, sinkThreads, resources);
    }

    /**
     * The most messages that ever wait for one connection's sink: {@link #HARD_LIMIT_FACTOR} times
     * {@link #connectionBuffer()} (the grace over the buffer has a bound too).
     */
    public int connectionHardLimit() {
        return (int) Math.min(Integer.MAX_VALUE, (long) connectionBuffer * HARD_LIMIT_FACTOR);
    }

    /** Sets {@link #slowClientGrace()}: how long a connection may stay over its buffer. */
    public HubOptions withSlowClientGrace(Duration grace) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, snapshotEvery, commandTimeout,
                invocationTimeout, dedupCapacity, connectionBuffer, grace, gapListener, objectMapper, sinkThreads,
                resources);
    }

    /** Sets {@link #connectionBuffer()}: how many messages may wait for one connection's sink. */
    public HubOptions withConnectionBuffer(int messages) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, snapshotEvery, commandTimeout,
                invocationTimeout, dedupCapacity, messages, slowClientGrace, gapListener, objectMapper, sinkThreads, resources);
    }

    public HubOptions withGapListener(Consumer<Gap> listener) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, snapshotEvery, commandTimeout,
                invocationTimeout, dedupCapacity, connectionBuffer, slowClientGrace, listener, objectMapper, sinkThreads, resources);
    }

    public HubOptions withObjectMapper(ObjectMapper mapper) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, snapshotEvery, commandTimeout,
                invocationTimeout, dedupCapacity, connectionBuffer, slowClientGrace, gapListener, mapper, sinkThreads, resources);
    }

    /** Sets {@link #sinkThreads()}: how many threads call the connections' sinks. */
    public HubOptions withSinkThreads(int threads) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, snapshotEvery, commandTimeout,
                invocationTimeout, dedupCapacity, connectionBuffer, slowClientGrace, gapListener, objectMapper, threads, resources);
    }

    /** Sets {@link #resources()}: where the futures of the node or context complete. */
    public HubOptions withResources(BackplaneResources resources) {
        return new HubOptions(hub, heartbeatInterval, missedHeartbeats, snapshotEvery, commandTimeout,
                invocationTimeout, dedupCapacity, connectionBuffer, slowClientGrace, gapListener, objectMapper, sinkThreads, resources);
    }

    /** How often each observer checks for silent nodes: a quarter of the heartbeat interval. */
    public Duration sweepInterval() {
        return heartbeatInterval.dividedBy(4).compareTo(Duration.ofMillis(5)) < 0
                ? Duration.ofMillis(5) : heartbeatInterval.dividedBy(4);
    }

    /**
     * The longest a node that stops without a goodbye stays in others' presence after its last
     * heartbeat was received: {@code heartbeatInterval x missedHeartbeats + sweepInterval}. Add the
     * transport's delivery latency to get the bound from the moment it stopped.
     */
    public Duration deathBound() {
        return heartbeatInterval.multipliedBy(missedHeartbeats).plus(sweepInterval());
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
