package dev.backplane.redis;

import dev.backplane.BackplaneConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The settings of a {@link RedisPubSubBackplane}, read from its {@link BackplaneConfig}.
 *
 * @param maxPayloadBytes option {@value #MAX_PAYLOAD}: the largest payload a publish accepts (default 1 MiB)
 * @param healthCheckInterval option {@value #HEALTH_CHECK_INTERVAL}: how often the subscriber connection
 *     is pinged; a connection that misses a pong for that long is reconnected (default: the
 *     {@code connectTimeout}, so that a Redis that stops answering is reported lost within twice it)
 */
public record RedisPubSubOptions(
        int maxPayloadBytes,
        Duration healthCheckInterval) {

    public static final String MAX_PAYLOAD = "maxPayload";
    public static final String HEALTH_CHECK_INTERVAL = "healthCheckInterval";

    /** Redis refuses bulk strings above 512 MB (its proto-max-bulk-len default). */
    static final int REDIS_MAX_BULK = 512 * 1024 * 1024;

    /** Every option the pub/sub provider accepts besides the common ones. */
    public static final Set<String> OPTIONS = union(RedisEndpoint.OPTIONS,
            Set.of(MAX_PAYLOAD, HEALTH_CHECK_INTERVAL));

    /**
     * Reads the options of {@code config}.
     *
     * @throws dev.backplane.BackplaneConfigurationException if a value is out of range or malformed
     */
    public static RedisPubSubOptions from(BackplaneConfig config) {
        return new RedisPubSubOptions(
                (int) config.longOption(MAX_PAYLOAD, 1 << 20, 1, REDIS_MAX_BULK),
                config.duration(HEALTH_CHECK_INTERVAL, config.connectTimeout()));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
