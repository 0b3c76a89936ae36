package dev.backplane.redis.streams;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneProvider;
import java.util.Set;

/**
 * The {@code redis-streams} provider: URIs {@code redis-streams://host:port} and
 * {@code rediss-streams://host:port} (TLS), {@code redis-sentinel-streams://host1:port1,host2:port2/?master=NAME}
 * (the master a set of Redis Sentinels names, followed across failovers),
 * {@code redis-cluster-streams://host1:port1,...} (a Redis Cluster by its seed nodes;
 * {@code rediss-cluster-streams://} over TLS), or any Redis URI with
 * {@code ?provider=redis-streams}.
 */
public final class RedisStreamsBackplaneProvider implements BackplaneProvider {

    public static final String NAME = "redis-streams";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redis-streams", "rediss-streams", "redis-sentinel-streams", "redis-cluster-streams",
                "rediss-cluster-streams");
    }

    @Override
    public Set<String> options() {
        return StreamsSettings.OPTIONS;
    }

    @Override
    public Backplane create(BackplaneConfig config) {
        return new RedisStreamsBackplane(config);
    }
}
