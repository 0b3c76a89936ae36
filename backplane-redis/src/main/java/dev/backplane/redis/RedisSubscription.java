package dev.backplane.redis;

import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.AtMostOnceDelivery;
import dev.backplane.spi.SerialExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One subscription: hands messages and gaps to its subscriber one at a time, in arrival order, on
 * a {@link SerialExecutor} over the shared delivery pool, so the socket reader never waits for a
 * subscriber.
 *
 * <p>Its backlog (received, not yet handed over) is bounded: a subscriber that falls
 * {@code maxBacklog} messages behind loses the messages that arrive while it is that far behind,
 * and is told so by one {@link Subscriber#onGap} once it has worked through its backlog.
 */
final class RedisSubscription implements Subscription {

    private static final System.Logger LOG = System.getLogger(RedisSubscription.class.getName());

    private final String channel;
    private final Subscriber subscriber;
    private final SerialExecutor executor;
    private final Executor pool;
    private final int maxBacklog;
    private final Consumer<RedisSubscription> onClose;
    private final CompletableFuture<Subscription> ready = new CompletableFuture<>();
    private final AtomicInteger backlog = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean dropGapQueued = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Whether the subscribe future completed; guarded by the owning {@link RedisSubscriber}'s lock. */
    boolean active;
    /** Whether an outage began while active and its gap is not reported yet; guarded likewise. */
    boolean gapOwed;

    /**
     * @param onClose removes the subscription from its channel; called once, on the closing thread
     */
    RedisSubscription(String channel, Subscriber subscriber, Executor pool, int maxBacklog,
            Consumer<RedisSubscription> onClose) {
        this.channel = channel;
        this.subscriber = subscriber;
        this.pool = pool;
        this.executor = new SerialExecutor(pool);
        this.maxBacklog = maxBacklog;
        this.onClose = onClose;
    }

    @Override
    public String channel() {
        return channel;
    }

    CompletableFuture<Subscription> ready() {
        return ready;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Completes the subscribe future, off the calling thread. */
    void activate() {
        active = true;
        try {
            pool.execute(() -> ready.complete(this));
        } catch (RejectedExecutionException e) {
            ready.complete(this);
        }
    }

    /** Fails the subscribe future; the subscription never received anything and is closed. */
    void fail(Throwable cause) {
        closed.set(true);
        ready.completeExceptionally(cause);
    }

    /** Queues one message for the subscriber. Called by the socket reader only. */
    void offer(byte[] payload) {
        if (closed.get()) {
            return;
        }
        if (backlog.get() >= maxBacklog) {
            dropped.incrementAndGet();
            if (dropGapQueued.compareAndSet(false, true)) {
                // Queued behind the backlog, so it comes right after the last message kept.
                executor.execute(this::reportDrops);
            }
            return;
        }
        backlog.incrementAndGet();
        AtMostOnceDelivery delivery = new AtMostOnceDelivery(channel, payload, Position.NONE);
        executor.execute(() -> {
            backlog.decrementAndGet();
            if (closed.get()) {
                return;
            }
            try {
                subscriber.onMessage(delivery);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "subscriber of channel '" + channel + "' threw", e);
            }
        });
    }

    /** Queues a gap report, in order with the messages. */
    void gap(String reason) {
        Gap gap = new Gap(channel, Position.NONE, Position.NONE, reason);
        executor.execute(() -> deliverGap(gap));
    }

    private void reportDrops() {
        dropGapQueued.set(false);
        long count = dropped.getAndSet(0);
        if (count > 0) {
            deliverGap(new Gap(channel, Position.NONE, Position.NONE, count + " message(s) dropped: this subscriber fell "
                    + maxBacklog + " messages behind (option " + RedisPubSubOptions.MAX_SUBSCRIBER_BACKLOG + ")"));
        }
    }

    private void deliverGap(Gap gap) {
        if (closed.get()) {
            return;
        }
        try {
            subscriber.onGap(gap);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "subscriber of channel '" + channel + "' threw on a gap", e);
        }
    }

    /** Stops deliveries without telling the channel: the whole backplane is closing. */
    void shutdown() {
        closed.set(true);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            onClose.accept(this);
        }
    }
}
