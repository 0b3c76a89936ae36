package dev.backplane.nats;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Backplanes;
import dev.backplane.tck.KitTimeouts;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Backplanes a test opened, each on a prefix of the test's own, all closed at the end. */
final class Opened implements AutoCloseable {

    private final String prefix = "t-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Backplane> backplanes = new ArrayList<>();

    String prefix() {
        return prefix;
    }

    /** Opens {@code uri} on this test's prefix with the kit's timeouts and {@code options} on top. */
    Backplane open(String uri, Map<String, String> options) {
        Map<String, String> all = new HashMap<>();
        all.put(BackplaneConfig.PREFIX, prefix);
        all.put(BackplaneConfig.PUBLISH_TIMEOUT, KitTimeouts.publish().toMillis() + "ms");
        all.put(BackplaneConfig.ACK_TIMEOUT, KitTimeouts.ack().toMillis() + "ms");
        all.putAll(options);
        Backplane backplane = Backplanes.open(URI.create(uri), all);
        backplanes.add(backplane);
        return backplane;
    }

    Backplane open(String uri) {
        return open(uri, Map.of());
    }

    /** The future's value, waiting at most the kit's delivery timeout. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("did not complete within " + KitTimeouts.delivery());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for the future to end either way, at most {@code limit}; fails if it is still pending then. */
    static void awaitDone(CompletableFuture<?> future, Duration limit) {
        try {
            future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // ended with a failure: fine, the caller looks at it
        } catch (TimeoutException e) {
            throw new AssertionError("still pending after " + limit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        backplanes.forEach(Backplane::close);
    }
}
