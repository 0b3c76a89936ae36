package dev.backplane.redis;

import dev.backplane.BackplaneConfig;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.SubscriberDispatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One subscription: hands messages and gaps to its subscriber one at a time, in arrival order,
 * through a {@link SubscriberDispatch} on the callback executor, so the socket reader never
 * waits for a subscriber.
 *
 * <p>Its backlog (received, not yet handed over) is bounded: a subscriber that falls
 * {@code maxBacklog} messages behind loses the messages that arrive while it is that far behind,
 * and is told so by one {@link Subscriber#onGap} once it has worked through its backlog.
 */
final class RedisSubscription implements Subscription {

    private final SubscriberDispatch dispatch;
    /** Re-pointed when the subscription moves to another shard's subscriber (a resharding). */
    private volatile Consumer<RedisSubscription> onClose;
    private final CompletableFuture<Subscription> ready = new CompletableFuture<>();

    /** Whether the subscribe future completed; guarded by the owning {@link RedisSubscriber}'s lock. */
    boolean active;
    /** Whether an outage began while active and its gap is not reported yet; guarded likewise. */
    boolean gapOwed;

    /**
     * @param onClose removes the subscription from its channel; called once, on the closing thread
     */
    RedisSubscription(String channel, Subscriber subscriber, Executor pool, int maxBacklog,
            Consumer<RedisSubscription> onClose) {
        this.dispatch = SubscriberDispatch.atMostOnce(channel, subscriber, pool, maxBacklog,
                BackplaneConfig.MAX_SUBSCRIBER_BACKLOG);
        this.onClose = onClose;
    }

    @Override
    public String channel() {
        return dispatch.channel();
    }

    CompletableFuture<Subscription> ready() {
        return ready;
    }

    boolean isClosed() {
        return dispatch.isClosed();
    }

    /** Completes the subscribe future (the backplane relays it to the caller on the callback executor). */
    void activate() {
        active = true;
        ready.complete(this);
    }

    /** Fails the subscribe future; the subscription never received anything and is closed. */
    void fail(Throwable cause) {
        dispatch.close();
        ready.completeExceptionally(cause);
    }

    /** Queues one message for the subscriber. Called by the socket reader only. */
    void offer(byte[] payload) {
        dispatch.offer(payload);
    }

    /** Queues a gap report, in order with the messages. */
    void gap(String reason) {
        dispatch.gap(new Gap(dispatch.channel(), Position.NONE, Position.NONE, reason));
    }

    /** Stops deliveries without telling the channel: the whole backplane is closing. */
    void shutdown() {
        dispatch.close();
    }

    /**
     * Points closing at another subscriber's channel: the subscription moved there with its
     * dispatch, so its order and backlog go with it. Called under the new subscriber's lock.
     */
    void rebind(Consumer<RedisSubscription> onClose) {
        this.onClose = onClose;
    }

    @Override
    public void close() {
        if (dispatch.close()) {
            onClose.accept(this);
        }
    }
}
