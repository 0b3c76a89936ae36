package dev.backplane.redis;

import dev.backplane.brokers.ClusterKit;
import java.util.Map;
import java.util.Optional;

/**
 * The Redis pub/sub backplane against the transport kit on a Redis Cluster ({@code redis-cluster://};
 * see {@link ClusterKit}): every delivery, ordering and call rule goes through sharded pub/sub, the
 * kit's channels spread over the three shards.
 */
class RedisPubSubClusterTckTest extends ClusterKit {

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return Optional.of(Map.of("maxSubscriberBacklog", Integer.toString(messages)));
    }
}
