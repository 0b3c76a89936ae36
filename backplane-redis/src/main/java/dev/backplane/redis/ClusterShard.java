package dev.backplane.redis;

import dev.backplane.BrokerUnavailableException;
import java.nio.charset.StandardCharsets;
import redis.clients.jedis.HostAndPort;

/**
 * One shard of a {@link RedisCluster}, as a {@link RedisSubscriber} for it sees it: the master that
 * owns the shard's first slot now, and the shard's control channel.
 *
 * <p>The control channel is {@code prefix:{tag}} with a hash tag chosen so that it hashes to the
 * shard's first slot; logical channels never hold braces, so it is never one of them. The
 * subscriber holds it with {@code SSUBSCRIBE} as the plain subscriber holds {@code prefix:}: its
 * confirmation says the shard connection is ready.
 */
final class ClusterShard {

    private final RedisCluster cluster;
    private final int slot;
    private final byte[] controlChannel;

    ClusterShard(RedisCluster cluster, int slot, String prefix) {
        this.cluster = cluster;
        this.slot = slot;
        this.controlChannel = controlChannel(prefix, slot);
    }

    /** {@code prefix:{n}} for the smallest {@code n} whose slot is {@code slot}. */
    static byte[] controlChannel(String prefix, int slot) {
        for (int n = 0; ; n++) {
            if (RedisCluster.slot(Integer.toString(n).getBytes(StandardCharsets.US_ASCII)) == slot) {
                return (prefix + ":{" + n + "}").getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    byte[] controlChannel() {
        return controlChannel;
    }

    /**
     * The master that owns the shard now, asked of the cluster.
     *
     * @throws BrokerUnavailableException if no node answers or no master owns the slot (mid-failover)
     */
    RedisSentinel.Master locate() {
        HostAndPort owner = cluster.ownerNow(slot);
        return new RedisSentinel.Master(owner, owner);
    }

    /** Whether another master owns the shard than {@code master}; false if the cluster cannot tell now. */
    boolean moved(RedisSentinel.Master master) {
        try {
            return master != null && !cluster.ownerNow(slot).equals(master.address());
        } catch (BrokerUnavailableException e) {
            return false;
        }
    }

    /** {@code the shard of slot N of the cluster via seeds ...}, for messages. */
    String describe() {
        return "the shard of slot " + slot + " of the Redis " + cluster.describe();
    }
}
