package dev.backplane.redis.streams;

import dev.backplane.Backplane;
import dev.backplane.BackplaneResources;
import dev.backplane.Backplanes;
import dev.backplane.brokers.Broker;
import dev.backplane.tck.KitTimeouts;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;

/** Backplanes on a test's own prefix, closed after the test, and a plain Redis connection to look behind them. */
final class StreamsTestSupport implements AutoCloseable {

    private final Broker broker;
    private final String prefix = "st-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Backplane> opened = new ArrayList<>();

    StreamsTestSupport(Broker broker) {
        this.broker = broker;
    }

    String prefix() {
        return prefix;
    }

    /** A backplane on this test's prefix with the given options. */
    Backplane open(String... options) {
        return open(BackplaneResources.defaults(), options);
    }

    /** A backplane on this test's prefix with the given resources and options. */
    Backplane open(BackplaneResources resources, String... options) {
        Map<String, String> all = new HashMap<>();
        all.put("prefix", prefix);
        for (int i = 0; i < options.length; i += 2) {
            all.put(options[i], options[i + 1]);
        }
        Backplane backplane = Backplanes.open(URI.create("redis-streams://" + broker.address()), all, resources);
        opened.add(backplane);
        return backplane;
    }

    /** The stream of {@code channel} on this test's prefix. */
    String stream(String channel) {
        return prefix + ":" + channel;
    }

    /** How many times Redis has run {@code command} (lower case, e.g. {@code xread}) since it started. */
    long calls(String command) {
        try (Jedis redis = redis()) {
            for (String line : redis.info("commandstats").split("\r?\n")) {
                if (line.startsWith("cmdstat_" + command + ":calls=")) {
                    String rest = line.substring(line.indexOf('=') + 1);
                    return Long.parseLong(rest.substring(0, rest.indexOf(',')));
                }
            }
            return 0;
        }
    }

    /** Waits until {@code condition} holds, at most the kit's delivery time; fails saying {@code what} otherwise. */
    /**
     * The options that keep only {@code messages} entries per stream, read in batches no larger:
     * what the kit's {@code limitedRetention} asks of every Streams kit subclass.
     */
    static java.util.Optional<java.util.Map<String, String>> retainingOnly(int messages) {
        return java.util.Optional.of(java.util.Map.of("maxLen", Integer.toString(messages), "readBatch",
                Integer.toString(messages)));
    }

    static void awaitCondition(BooleanSupplier condition, String what) {
        awaitCondition(condition, () -> what);
    }

    /** As {@link #awaitCondition(BooleanSupplier, String)}, with the message made when it fails. */
    static void awaitCondition(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("within " + KitTimeouts.delivery() + ": " + what.get());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + what.get(), e);
            }
        }
    }

    /** Watches for the kit's quiet period, for checks that something does not happen. */
    static void quietPeriod() {
        watchFor(KitTimeouts.quiet());
    }

    /** Watches for {@code period}, for checks that something does not happen. */
    static void watchFor(Duration period) {
        try {
            Thread.sleep(period.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Closes {@code backplane} after the test. */
    void track(Backplane backplane) {
        opened.add(backplane);
    }

    /** A plain connection to the test broker. */
    Jedis redis() {
        return new Jedis(broker.host(), broker.port());
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("did not complete: " + e, e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        opened.forEach(Backplane::close);
    }
}
