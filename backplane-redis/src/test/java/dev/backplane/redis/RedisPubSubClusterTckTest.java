package dev.backplane.redis;

import dev.backplane.brokers.ClusterKit;
import dev.backplane.brokers.LeaveOutByDefault;
import java.util.Map;
import java.util.Optional;

/**
 * The Redis pub/sub backplane against the transport kit on a Redis Cluster ({@code redis-cluster://};
 * see {@link ClusterKit}): every delivery, ordering and call rule goes through sharded pub/sub with
 * the kit's channels spread over the three shards, and the outage rules (T17, T18, T19, T44, T45,
 * T51, T52) stop and start every node of the cluster.
 *
 * <p>By default T27, T43 and T47 are left out (about 10 s): they wait out the same per-subscription
 * dispatch as on a plain Redis, which the plain kit runs; every rule runs with
 * {@code -Dbackplane.fullKit=true}.
 */
@LeaveOutByDefault(value = {"t27_", "t43_", "t47_"}, because = "they wait out code the plain kit runs")
class RedisPubSubClusterTckTest extends ClusterKit {

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return Optional.of(Map.of("maxSubscriberBacklog", Integer.toString(messages)));
    }
}
