package dev.backplane.hub;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Invocations a node handed to its local connections and not yet answered, by invocation id. An
 * entry leaves when answered, when its connection disconnects, or after the node's longest
 * invocation time, so the table stays bounded even for clients that never answer.
 */
final class IncomingInvocations {

    /** Who asked: the calling node and its correlation id. */
    record Incoming(String connectionId, String caller, String correlation) {
    }

    private final ScheduledExecutorService timer;
    private final Duration expiry;
    private final Consumer<Incoming> onExpiry;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Incoming> open = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> expiries = new ConcurrentHashMap<>();

    IncomingInvocations(ScheduledExecutorService timer, Duration expiry, Consumer<Incoming> onExpiry) {
        this.timer = timer;
        this.expiry = expiry;
        this.onExpiry = onExpiry;
    }

    /** Records an invocation and returns its id for the client. */
    String add(String connectionId, String caller, String correlation) {
        String id = Long.toString(ids.incrementAndGet());
        Incoming incoming = new Incoming(connectionId, caller, correlation);
        open.put(id, incoming);
        expiries.put(id, timer.schedule(() -> {
            expiries.remove(id);
            if (open.remove(id, incoming)) {
                onExpiry.accept(incoming);
            }
        }, expiry.toNanos(), TimeUnit.NANOSECONDS));
        return id;
    }

    /** Removes and returns the invocation, or null if unknown, answered, or not of that connection. */
    Incoming take(String invocationId, String connectionId) {
        Incoming incoming = open.get(invocationId);
        if (incoming == null || !incoming.connectionId().equals(connectionId) || !open.remove(invocationId, incoming)) {
            return null;
        }
        cancelExpiry(invocationId);
        return incoming;
    }

    /** Removes and returns every open invocation of a connection. */
    List<Incoming> takeAll(String connectionId) {
        List<String> ids = open.entrySet().stream().filter(e -> e.getValue().connectionId().equals(connectionId))
                .map(Map.Entry::getKey).toList();
        return ids.stream().map(id -> {
            cancelExpiry(id);
            return open.remove(id);
        }).filter(java.util.Objects::nonNull).toList();
    }

    private void cancelExpiry(String id) {
        ScheduledFuture<?> f = expiries.remove(id);
        if (f != null) {
            f.cancel(false);
        }
    }
}
