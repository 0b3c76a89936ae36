package dev.backplane.redis.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.brokers.SecureRedis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The least-privilege ACL of the Redis Streams backplane (as the README gives it), Jedis
 * connections of a test's own to a {@link SecureRedis}, and backplanes closed after the test.
 */
final class SecureStreamsSupport implements AutoCloseable {

    private final List<Backplane> opened = new ArrayList<>();

    /**
     * What a user needs for the Redis Streams backplane on the prefixes the key patterns cover
     * ({@code "a:*"} for prefix {@code a}: the channels' streams {@code a:c}, the data-set token
     * {@code a:.epoch} and each instance's wake stream {@code a:.wake.ID}), and nothing else: no
     * pub/sub channel, no other command. {@code client|setname} names the connections in CLIENT
     * LIST; {@code client|setinfo} (Redis 7.2 and later) lets Jedis name its library. Jedis
     * ignores a refusal of either, but Redis records it in its ACL LOG.
     */
    static String[] streamsAcl(String... keyPatterns) {
        List<String> rules = new ArrayList<>(List.of("resetchannels"));
        for (String pattern : keyPatterns) {
            rules.add("~" + pattern);
        }
        rules.addAll(List.of("-@all", "+xadd", "+xread", "+xrevrange", "+xinfo|stream", "+get", "+set", "+del", "+ping",
                "+client|setname"));
        if (SecureRedis.serverAtLeast(7, 2)) {
            rules.add("+client|setinfo");
        }
        return rules.toArray(String[]::new);
    }

    /** A Jedis connection to {@code redis} as {@code user}, over TLS where it listens on TLS (with the client certificate). */
    static Jedis connect(SecureRedis redis, String user, String password) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().user(user).password(password)
                .connectionTimeoutMillis(5000).socketTimeoutMillis(5000);
        if (redis.tlsEnabled()) {
            config.ssl(true).sslSocketFactory(redis.clientContext().getSocketFactory());
        }
        return new Jedis(new HostAndPort(redis.host(), redis.port()), config.build());
    }

    /** A Jedis connection as the user with every right. */
    static Jedis admin(SecureRedis redis) {
        return connect(redis, SecureRedis.ADMIN, redis.adminPassword());
    }

    /** What Redis's ACL LOG holds about {@code user}: every command, key or channel it refused to that user. */
    static List<String> aclLog(SecureRedis redis, String user) {
        try (Jedis admin = admin(redis)) {
            List<String> refused = new ArrayList<>();
            admin.aclLog().forEach(entry -> {
                if (user.equals(entry.getUsername())) {
                    refused.add(entry.getReason() + " " + entry.getContext() + " " + entry.getObject());
                }
            });
            return refused;
        }
    }

    /** Opens a backplane at {@code uri} with {@code options} on top of {@code tls}, closed with this support. */
    Backplane open(String uri, Map<String, String> tls, Map<String, String> options) {
        Map<String, String> all = new HashMap<>(tls);
        all.putAll(options);
        Backplane backplane = Backplanes.open(URI.create(uri), all);
        opened.add(backplane);
        return backplane;
    }

    /** What {@code open} throws, which it must within {@code bound}. */
    static RuntimeException failsWithin(Supplier<Backplane> open, Duration bound, String what) {
        long start = System.nanoTime();
        try {
            Backplane opened = open.get();
            opened.close();
        } catch (RuntimeException e) {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("time until %s failed (%s)", what, e).isLessThan(bound);
            return e;
        }
        throw new AssertionError(what + " opened, and it must fail");
    }

    @Override
    public void close() {
        opened.forEach(Backplane::close);
        opened.clear();
    }
}
