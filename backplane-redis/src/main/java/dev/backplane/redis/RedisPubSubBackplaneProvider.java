package dev.backplane.redis;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneProvider;
import java.util.Set;

/**
 * Provider {@code redis} for the URI schemes {@code redis://}, {@code rediss://} (TLS) and
 * {@code redis-sentinel://} (the master a set of Redis Sentinels names, followed across failovers) and
 * {@code redis-cluster://} (a Redis Cluster by its seed nodes, sharded pub/sub; {@code rediss-cluster://} over TLS):
 * Redis pub/sub, at-most-once. See {@link RedisEndpoint} for the URI and {@link RedisPubSubOptions} for
 * the options.
 */
public final class RedisPubSubBackplaneProvider implements BackplaneProvider {

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss", "redis-sentinel", "redis-cluster", "rediss-cluster");
    }

    @Override
    public Set<String> options() {
        return RedisPubSubOptions.OPTIONS;
    }

    /** Reads the configuration and starts connecting in the background; never waits for Redis. */
    @Override
    public Backplane create(BackplaneConfig config) {
        return new RedisPubSubBackplane(config, RedisEndpoint.from(config), RedisPubSubOptions.from(config));
    }
}
