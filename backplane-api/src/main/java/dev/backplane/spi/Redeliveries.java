package dev.backplane.spi;

import dev.backplane.Delivery;
import dev.backplane.Position;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * At-least-once acknowledgement for one subscription, for transports whose broker does not
 * redeliver by itself: each delivery made through {@link #deliver} is handed to the subscriber
 * again, flagged {@linkplain Delivery#redelivered() redelivered}, every ack timeout until it is
 * acknowledged or this tracker is closed.
 */
public final class Redeliveries implements AutoCloseable {

    private final Duration ackTimeout;
    private final ScheduledExecutorService timer;
    private final Consumer<Delivery> dispatch;
    private final Set<Tracked> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param dispatch hands a delivery to the subscriber, on the subscription's serial executor
     */
    public Redeliveries(Duration ackTimeout, ScheduledExecutorService timer, Consumer<Delivery> dispatch) {
        this.ackTimeout = Objects.requireNonNull(ackTimeout, "ackTimeout");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.dispatch = Objects.requireNonNull(dispatch, "dispatch");
    }

    /** Delivers a message for the first time and starts its ack timer. */
    public void deliver(String channel, byte[] payload, Position position) {
        dispatch(new Tracked(channel, payload, position, false));
    }

    /** Deliveries made and not yet acknowledged. */
    public int pending() {
        return pending.size();
    }

    /** Stops every timer; nothing is redelivered after this. */
    @Override
    public void close() {
        closed = true;
        pending.forEach(t -> t.cancel());
        pending.clear();
    }

    private void dispatch(Tracked delivery) {
        if (closed) {
            return;
        }
        pending.add(delivery);
        delivery.timeout = timer.schedule(() -> expire(delivery), ackTimeout.toNanos(), TimeUnit.NANOSECONDS);
        dispatch.accept(delivery);
    }

    private void expire(Tracked delivery) {
        if (!closed && delivery.acked.compareAndSet(false, true) && pending.remove(delivery)) {
            dispatch(new Tracked(delivery.channel, delivery.payload, delivery.position, true));
        }
    }

    private final class Tracked implements Delivery {
        final String channel;
        final byte[] payload;
        final Position position;
        final boolean redelivered;
        // Set by ack() and by expiry, so that exactly one of them wins.
        final AtomicBoolean acked = new AtomicBoolean();
        volatile ScheduledFuture<?> timeout;

        Tracked(String channel, byte[] payload, Position position, boolean redelivered) {
            this.channel = channel;
            this.payload = payload;
            this.position = position;
            this.redelivered = redelivered;
        }

        @Override
        public String channel() {
            return channel;
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public Position position() {
            return position;
        }

        @Override
        public boolean redelivered() {
            return redelivered;
        }

        @Override
        public void ack() {
            if (acked.compareAndSet(false, true)) {
                pending.remove(this);
                cancel();
            }
        }

        void cancel() {
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
        }
    }
}
