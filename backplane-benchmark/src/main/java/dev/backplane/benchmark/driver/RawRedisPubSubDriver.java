package dev.backplane.benchmark.driver;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The baseline for Redis pub/sub: Jedis {@code PUBLISH} pipelined on one connection
 * ({@link PipelinedPublisher}), and {@code SUBSCRIBE} on a connection per node, messages handed to
 * the sink on the reading thread.
 */
public final class RawRedisPubSubDriver implements Driver {

    private final String host;
    private final int port;

    public RawRedisPubSubDriver(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public String description() {
        return "raw Jedis PUBLISH (pipelined) / SUBSCRIBE";
    }

    static byte[] channel(String name) {
        return ("raw:" + name).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Publisher publisher() {
        return PipelinedPublisher.on(host, port, (pipeline, channel, payload) -> pipeline.publish(channel(channel), payload));
    }

    @Override
    public SubscribingNode subscribe(List<String> channels, MessageSink sink) throws InterruptedException {
        Jedis jedis = new Jedis(host, port, 0, 0);
        CountDownLatch active = new CountDownLatch(channels.size());
        BinaryJedisPubSub pubSub = new BinaryJedisPubSub() {
            @Override
            public void onMessage(byte[] channel, byte[] message) {
                sink.accept(message);
            }

            @Override
            public void onSubscribe(byte[] channel, int subscribedChannels) {
                active.countDown();
            }
        };
        byte[][] names = channels.stream().map(RawRedisPubSubDriver::channel).toArray(byte[][]::new);
        Thread reader = new Thread(() -> {
            try {
                jedis.subscribe(pubSub, names);
            } catch (JedisException e) {
                // closed under it
            }
        }, "raw-redis-subscriber");
        reader.setDaemon(true);
        reader.start();
        if (!active.await(30, TimeUnit.SECONDS)) {
            jedis.close();
            throw new IllegalStateException("Redis did not confirm " + channels.size() + " subscriptions within 30 s");
        }
        return () -> {
            pubSub.unsubscribe();
            reader.join(10_000);
            jedis.close();
        };
    }

    @Override
    public void close() {
    }
}
