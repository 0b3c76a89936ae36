package dev.backplane.redis;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.brokers.Broker;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/** Backplanes on a test's own prefix, closed after the test, and a plain Redis connection to look behind them. */
final class PubSubTestSupport implements AutoCloseable {

    /** Bounds every wait, so that a hang fails the test instead of blocking it. */
    private static final long WAIT_SECONDS = 15;

    private final Broker broker;
    private final String prefix;
    private final List<Backplane> opened = new ArrayList<>();

    /** @param prefixStart the start of this test's prefix, which says in Redis which class made a channel */
    PubSubTestSupport(Broker broker, String prefixStart) {
        this.broker = broker;
        this.prefix = prefixStart + UUID.randomUUID().toString().substring(0, 8);
    }

    String prefix() {
        return prefix;
    }

    /** A backplane on the test broker and this test's prefix, with the given options. */
    Backplane open(Map<String, String> options) {
        return open("redis://" + broker.address(), options);
    }

    /** A backplane at {@code uri} on this test's prefix, with the given options. */
    Backplane open(String uri, Map<String, String> options) {
        Map<String, String> all = new HashMap<>(Map.of("prefix", prefix));
        all.putAll(options);
        Backplane backplane = Backplanes.open(URI.create(uri), all);
        opened.add(backplane);
        return backplane;
    }

    /** A plain connection to the test broker. */
    Jedis redis() {
        return new Jedis(broker.host(), broker.port());
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** The failure of a future that must fail. */
    static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        try {
            future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the future to fail, but it succeeded");
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Closes every backplane the test opened. */
    @Override
    public void close() {
        opened.forEach(Backplane::close);
    }
}
