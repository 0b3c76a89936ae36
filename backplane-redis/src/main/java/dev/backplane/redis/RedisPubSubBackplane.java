package dev.backplane.redis;

import dev.backplane.BackplaneConfig;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.AbstractBackplane;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A backplane on Redis pub/sub ({@code redis://}, {@code rediss://}): at-most-once, no replay,
 * ordered per publisher, cheap channels.
 *
 * <p>Logical channel {@code c} is the Redis channel {@code prefix:c}; prefixes hold no {@code :},
 * so two prefixes never share a Redis channel. Each instance uses two connections: one for publishing (see {@link RedisPublisher}: pipelined, bounded outbox, every publish
 * settled within the publish timeout) and one in pub/sub mode for all its subscriptions (see
 * {@link RedisSubscriber}: shared SUBSCRIBE per channel, reconnect, resubscribe and
 * {@link Subscriber#onGap} after an outage). The subscriber connection is opened at once and
 * pinged every {@code healthCheckInterval}: its state is the backplane's connection state
 * ({@link #health()}, the lost and restored events); the publishing one is opened on the first
 * publish.
 *
 * <p>On a Redis Cluster ({@code redis-cluster://}) the channels are sharded: {@link ClusterPublisher}
 * sends {@code SPUBLISH} to the master that owns each channel's slot, and {@link ClusterSubscriber}
 * keeps one {@code SSUBSCRIBE} connection per shard.
 *
 * <p>At-most-once means: a message reaches the subscriptions that are active and connected when
 * Redis receives it. Redis keeps nothing: messages published while a subscriber's connection is
 * down are lost for it, and it is told so by {@link Subscriber#onGap} once it is back.
 */
public final class RedisPubSubBackplane extends AbstractBackplane {

    private final RedisEndpoint endpoint;
    private final Capabilities capabilities;
    private final byte[] channelPrefix;
    private final Publishing publisher;
    private final Subscribing subscriber;

    /** The publishing side: one server's PUBLISH connection, or a cluster's SPUBLISH. */
    interface Publishing extends AutoCloseable {
        /** Queues a message; see {@link RedisPublisher#publish}. {@code payload} is a copy the caller no longer touches. */
        CompletableFuture<Position> publish(String channel, byte[] redisChannel, byte[] payload);

        @Override
        void close();
    }

    /** The subscribing side: one server's SUBSCRIBE connection, or one SSUBSCRIBE connection per cluster shard. */
    interface Subscribing extends AutoCloseable {
        /** Subscribes to {@code redisName}, delivering as {@code channel}; completes once Redis confirmed it. */
        CompletableFuture<Subscription> subscribe(String channel, String redisName, Subscriber subscriber);

        /** Opens the connection(s) now, in the background. */
        void start();

        @Override
        void close();
    }

    RedisPubSubBackplane(BackplaneConfig config, RedisEndpoint endpoint, RedisPubSubOptions options) {
        super(config, "redis");
        this.endpoint = endpoint;
        this.capabilities = new Capabilities("redis", DeliveryGuarantee.AT_MOST_ONCE, false, true,
                options.maxPayloadBytes(), true);
        this.channelPrefix = (config.prefix() + ":").getBytes(StandardCharsets.US_ASCII);
        if (endpoint.cluster() != null) {
            this.publisher = new ClusterPublisher(endpoint, config, completions, monitor);
            this.subscriber = new ClusterSubscriber(endpoint, config.prefix(), config.connectTimeout(),
                    options.healthCheckInterval(), config.maxSubscriberBacklog(), config.resources().callbackExecutor(),
                    config.resources().scheduler(), monitor);
        } else {
            RedisPublisher server = new RedisPublisher(endpoint, config, completions, monitor);
            this.publisher = server;
            this.subscriber = new RedisSubscriber(endpoint, config.prefix(), config.connectTimeout(),
                    options.healthCheckInterval(), config.maxSubscriberBacklog(), config.resources().callbackExecutor(),
                    config.resources().scheduler(), server::connectionSuspect, monitor);
        }
        subscriber.start();
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /** The Redis server this backplane talks to. */
    public RedisEndpoint endpoint() {
        return endpoint;
    }

    @Override
    protected CompletableFuture<Position> doPublish(String channel, byte[] payload) {
        return publisher.publish(channel, redisChannel(channel), payload.clone());
    }

    @Override
    protected CompletableFuture<Subscription> doSubscribe(String channel, Position from, Subscriber subscriber) {
        // from is always null: capabilities declare no replay, so AbstractBackplane refuses positions.
        return this.subscriber.subscribe(channel, new String(redisChannel(channel), StandardCharsets.US_ASCII),
                subscriber);
    }

    /** {@code prefix:channel} in bytes; channel names are ASCII by {@link dev.backplane.Channels}' rules. */
    private byte[] redisChannel(String channel) {
        byte[] name = new byte[channelPrefix.length + channel.length()];
        System.arraycopy(channelPrefix, 0, name, 0, channelPrefix.length);
        for (int i = 0; i < channel.length(); i++) {
            name[channelPrefix.length + i] = (byte) channel.charAt(i);
        }
        return name;
    }

    /**
     * Sends what is queued while Redis is reachable (each publish still bounded by its timeout),
     * fails the rest, closes both connections and stops every thread.
     */
    @Override
    protected void doClose() {
        try {
            subscriber.close();
        } finally {
            try {
                publisher.close();
            } finally {
                endpoint.close();
            }
        }
    }
}
