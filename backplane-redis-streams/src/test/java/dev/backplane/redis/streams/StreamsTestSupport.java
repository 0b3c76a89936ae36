package dev.backplane.redis.streams;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.brokers.Broker;
import dev.backplane.tck.KitTimeouts;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
        Map<String, String> all = new HashMap<>();
        all.put("prefix", prefix);
        for (int i = 0; i < options.length; i += 2) {
            all.put(options[i], options[i + 1]);
        }
        Backplane backplane = Backplanes.open(URI.create("redis-streams://" + broker.address()), all);
        opened.add(backplane);
        return backplane;
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
