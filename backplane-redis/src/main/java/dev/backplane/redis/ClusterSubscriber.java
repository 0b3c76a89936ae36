package dev.backplane.redis;

import dev.backplane.BackplaneException;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.Backoff;
import dev.backplane.spi.BackplaneMonitor;
import dev.backplane.spi.DaemonThreads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The subscriber side of a backplane on a Redis Cluster: one {@link RedisSubscriber} per shard,
 * each with one connection to the master that owns its shard, carrying every channel of this
 * instance whose slot the shard owns ({@code SSUBSCRIBE}). A channel is placed by its slot
 * ({@code CRC16} of its Redis name, as Redis computes it) in the slot map of {@link RedisCluster};
 * each shard subscriber follows its shard's master across failovers by itself and reports the gap.
 * When a resharding moves a slot to another master, the shard subscriber that held its channels
 * hands them, subscriptions and all, to the subscriber of the shard that owns the slot now, and
 * each subscription is told of the gap.
 *
 * <p>{@link #start()} reads the slot map on a thread of its own (retrying with {@link Backoff}
 * until a node answers) and opens the connection of every shard, so that the backplane's
 * connection state covers the cluster from the start. A subscribe before that reads the slot map
 * on the caller's thread, bounded by the connect timeout per node asked.
 */
final class ClusterSubscriber implements RedisPubSubBackplane.Subscribing {

    private final RedisEndpoint endpoint;
    private final String prefix;
    private final Duration connectTimeout;
    private final Duration healthCheckInterval;
    private final int maxBacklog;
    private final Executor deliveryPool;
    private final ScheduledExecutorService timer;
    private final BackplaneMonitor monitor;
    private final Map<Integer, RedisSubscriber> shards = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private Thread starter;

    ClusterSubscriber(RedisEndpoint endpoint, String prefix, Duration connectTimeout, Duration healthCheckInterval,
            int maxBacklog, Executor deliveryPool, ScheduledExecutorService timer, BackplaneMonitor monitor) {
        this.endpoint = endpoint;
        this.prefix = prefix;
        this.connectTimeout = connectTimeout;
        this.healthCheckInterval = healthCheckInterval;
        this.maxBacklog = maxBacklog;
        this.deliveryPool = deliveryPool;
        this.timer = timer;
        this.monitor = monitor;
    }

    @Override
    public synchronized void start() {
        if (starter == null && !closing) {
            starter = new DaemonThreads("backplane-redis-cluster-shards").newThread(this::openShards);
            starter.start();
        }
    }

    private void openShards() {
        Backoff backoff = RedisConnections.reconnectBackoff();
        while (!closing) {
            try {
                endpoint.cluster().shards().forEach(this::shard);
                return;
            } catch (BackplaneException e) {
                monitor.connectionLost(e.getMessage());
                try {
                    Thread.sleep(backoff.nextMillis());
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String channel, String redisName, Subscriber subscriber) {
        int slot = RedisCluster.slot(redisName.getBytes(StandardCharsets.US_ASCII));
        try {
            return shard(endpoint.cluster().shardOf(slot)).subscribe(channel, redisName, subscriber);
        } catch (BackplaneException | IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The subscriber of the shard named by its first slot, started on first use. */
    private RedisSubscriber shard(int firstSlot) {
        synchronized (this) {
            if (closing) {
                throw new IllegalStateException("the Redis backplane is closed");
            }
            return shards.computeIfAbsent(firstSlot, slot -> {
                RedisSubscriber s = new RedisSubscriber(endpoint, new ClusterShard(endpoint.cluster(), slot, prefix),
                        this::handOver, prefix, connectTimeout, healthCheckInterval, maxBacklog, deliveryPool, timer, () -> { },
                        monitor);
                s.start();
                return s;
            });
        }
    }

    /**
     * A shard subscriber gave up a channel whose slot another master owns now (a resharding): the
     * subscriber of the shard that owns it by the slot map just read takes it over.
     */
    private void handOver(String redisName, List<RedisSubscription> subscriptions, String reason) {
        int slot = RedisCluster.slot(redisName.getBytes(StandardCharsets.US_ASCII));
        shard(endpoint.cluster().shardOf(slot)).adopt(redisName, subscriptions, reason);
    }

    @Override
    public void close() {
        List<RedisSubscriber> all;
        Thread t;
        synchronized (this) {
            closing = true;
            all = new ArrayList<>(shards.values());
            t = starter;
        }
        if (t != null) {
            t.interrupt();
        }
        for (RedisSubscriber s : all) {
            s.close();
        }
    }
}
