package dev.backplane.benchmark.driver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.BinaryJedisShardedPubSub;
import redis.clients.jedis.ClusterPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The baseline for Redis pub/sub on a Redis Cluster: Jedis's {@link ClusterPipeline}
 * {@code SPUBLISH} (each command to its slot's master, replies read every
 * {@value PipelinedPublisher#BATCH} commands or when the sender is about to wait), and per node one
 * connection per master holding the node's channels with {@code SSUBSCRIBE}, one slot's channels per
 * command, messages handed to the sink on the reading thread.
 */
public final class RawRedisClusterDriver implements Driver {

    private static final JedisClientConfig CONFIG = DefaultJedisClientConfig.builder().socketTimeoutMillis(0).build();

    private final HostAndPort seed;

    public RawRedisClusterDriver(String host, int port) {
        this.seed = new HostAndPort(host, port);
    }

    @Override
    public String description() {
        return "raw Jedis ClusterPipeline SPUBLISH / SSUBSCRIBE per master";
    }

    @Override
    public Publisher publisher() {
        JedisCluster cluster = new JedisCluster(seed);
        return new PipelinedPublisher<>(cluster, cluster.pipelined(),
                (pipeline, channel, payload) -> pipeline.spublish(RawRedisPubSubDriver.channel(channel), payload));
    }

    @Override
    public SubscribingNode subscribe(List<String> channels, MessageSink sink) throws InterruptedException {
        List<Object> slots;
        try (Jedis jedis = new Jedis(seed)) {
            slots = jedis.clusterSlots();
        }
        Map<HostAndPort, Map<Integer, List<byte[]>>> byMaster = new HashMap<>();
        for (String channel : channels) {
            byte[] name = RawRedisPubSubDriver.channel(channel);
            int slot = JedisClusterCRC16.getSlot(name);
            byMaster.computeIfAbsent(owner(slots, slot), m -> new HashMap<>())
                    .computeIfAbsent(slot, s -> new ArrayList<>()).add(name);
        }
        CountDownLatch active = new CountDownLatch(channels.size());
        List<Runnable> closers = new ArrayList<>();
        for (Map.Entry<HostAndPort, Map<Integer, List<byte[]>>> master : byMaster.entrySet()) {
            Connection connection = new Connection(master.getKey(), CONFIG);
            BinaryJedisShardedPubSub pubSub = new BinaryJedisShardedPubSub() {
                @Override
                public void onSMessage(byte[] channel, byte[] message) {
                    sink.accept(message);
                }

                @Override
                public void onSSubscribe(byte[] channel, int subscribedChannels) {
                    active.countDown();
                }
            };
            List<List<byte[]>> groups = new ArrayList<>(master.getValue().values());
            CountDownLatch first = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                try {
                    first.countDown();
                    pubSub.proceed(connection, groups.get(0).toArray(byte[][]::new));
                } catch (JedisException e) {
                    // closed under it
                }
            }, "raw-redis-cluster-subscriber");
            reader.setDaemon(true);
            reader.start();
            first.await();
            // Later SSUBSCRIBEs go on the same connection once it is subscribed: one slot per command.
            while (!pubSub.isSubscribed()) {
                Thread.onSpinWait();
            }
            for (List<byte[]> group : groups.subList(1, groups.size())) {
                pubSub.ssubscribe(group.toArray(byte[][]::new));
            }
            closers.add(() -> {
                try {
                    pubSub.sunsubscribe();
                    reader.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (JedisException e) {
                    // already closed
                }
                connection.close();
            });
        }
        if (!active.await(30, TimeUnit.SECONDS)) {
            closers.forEach(Runnable::run);
            throw new IllegalStateException("Redis did not confirm " + channels.size() + " shard subscriptions within 30 s");
        }
        return () -> closers.forEach(Runnable::run);
    }

    /** The master of {@code slot} in a {@code CLUSTER SLOTS} answer. */
    private static HostAndPort owner(List<Object> slots, int slot) {
        for (Object entry : slots) {
            List<?> range = (List<?>) entry;
            if ((Long) range.get(0) <= slot && slot <= (Long) range.get(1)) {
                List<?> master = (List<?>) range.get(2);
                Object host = master.get(0);
                return new HostAndPort(host instanceof byte[] b ? new String(b, StandardCharsets.US_ASCII)
                        : String.valueOf(host), ((Long) master.get(1)).intValue());
            }
        }
        throw new IllegalStateException("no master owns slot " + slot);
    }

    @Override
    public void close() {
    }
}
