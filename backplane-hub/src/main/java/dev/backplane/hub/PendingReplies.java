package dev.backplane.hub;

import dev.backplane.spi.Completions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Requests this process sent to other nodes (group commands, invocations) and awaits answers for,
 * by correlation id. Each fails by itself after its timeout, or at once when its node is declared
 * gone, so none is left pending. Futures complete through {@link Completions}, on the callback
 * executor: never on the timer, nor on the delivery that brought the answer (a callback that asks
 * the hub again and waits would otherwise wait for the very delivery it holds up).
 */
final class PendingReplies {

    private record Pending(CompletableFuture<byte[]> future, String node) {
    }

    private final ScheduledExecutorService timer;
    private final Completions completions;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    PendingReplies(ScheduledExecutorService timer, Completions completions) {
        this.timer = timer;
        this.completions = completions;
    }

    /** Registers a request to {@code node}; the future fails with what {@code onTimeout} gives after {@code timeout}. */
    CompletableFuture<byte[]> register(String correlation, String node, Duration timeout,
            Supplier<? extends RuntimeException> onTimeout) {
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        pending.put(correlation, new Pending(future, node));
        var task = timer.schedule(() -> fail(correlation, onTimeout.get()), timeout.toNanos(), TimeUnit.NANOSECONDS);
        future.whenComplete((v, e) -> {
            task.cancel(false);
            pending.remove(correlation);
        });
        return future;
    }

    void complete(String correlation, byte[] result) {
        Pending p = pending.remove(correlation);
        if (p != null) {
            completions.succeed(p.future(), result);
        }
    }

    void fail(String correlation, Throwable error) {
        Pending p = pending.remove(correlation);
        if (p != null) {
            completions.fail(p.future(), error);
        }
    }

    /** Fails every request waiting on {@code node}. */
    void failNode(String node, Supplier<? extends RuntimeException> error) {
        List<String> ids = pending.entrySet().stream().filter(e -> e.getValue().node().equals(node))
                .map(Map.Entry::getKey).toList();
        ids.forEach(id -> fail(id, error.get()));
    }

    void failAll(Supplier<? extends RuntimeException> error) {
        List.copyOf(pending.keySet()).forEach(id -> fail(id, error.get()));
    }

    int size() {
        return pending.size();
    }
}
