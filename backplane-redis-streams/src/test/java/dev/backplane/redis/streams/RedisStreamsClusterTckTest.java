package dev.backplane.redis.streams;

import dev.backplane.brokers.ClusterKit;
import dev.backplane.brokers.LeaveOutByDefault;
import java.util.Map;
import java.util.Optional;

/**
 * The Redis Streams backplane against the transport kit on a Redis Cluster
 * ({@code redis-cluster-streams://}; see {@link ClusterKit}): every delivery, call and replay rule
 * goes through the master of the prefix's slot, and the outage rules stop and start every node.
 *
 * <p>By default the rules whose cost is waiting out timeouts on the same code as on a plain Redis
 * are left out, as in {@link RedisStreamsSentinelTckTest}; every rule runs with
 * {@code -Dbackplane.fullKit=true}.
 */
@LeaveOutByDefault(value = {"t17_", "t19_", "t26_", "t27_", "t28_", "t43_", "t44_", "t47_", "t52_"},
        because = "they wait out timeouts of code the plain kit runs")
class RedisStreamsClusterTckTest extends ClusterKit {

    @Override
    protected String scheme() {
        return "redis-cluster-streams";
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return StreamsTestSupport.retainingOnly(messages);
    }
}
