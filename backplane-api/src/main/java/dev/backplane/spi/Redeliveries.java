package dev.backplane.spi;

import dev.backplane.Delivery;
import dev.backplane.Position;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * At-least-once acknowledgement for one subscription, for transports whose broker does not
 * redeliver by itself: each delivery made through {@link #deliver} is handed to the subscriber
 * again, flagged {@linkplain Delivery#redelivered() redelivered}, once the ack timeout has passed
 * without an acknowledgement, and again after each further timeout, until it is acknowledged or
 * this tracker is closed. A redelivery happens between one and about 1.25 ack timeouts after the
 * delivery.
 */
public final class Redeliveries implements AutoCloseable {

    private final long ackTimeoutNanos;
    private final long sweepNanos;
    private final ScheduledExecutorService timer;
    private final Consumer<Delivery> dispatch;
    // In dispatch order; as the timeout is the same for all, deadlines are in order too, so a
    // sweep stops at the first delivery that is not due.
    private final ConcurrentLinkedQueue<Tracked> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Object sweeperLock = new Object();
    private ScheduledFuture<?> sweeper;
    private volatile boolean closed;

    /**
     * @param ackTimeout how long a delivery may stay unacknowledged
     * @param timer runs the periodic sweep
     * @param dispatch hands a delivery to the subscriber, on the subscription's serial executor
     */
    public Redeliveries(Duration ackTimeout, ScheduledExecutorService timer, Consumer<Delivery> dispatch) {
        this.ackTimeoutNanos = Objects.requireNonNull(ackTimeout, "ackTimeout").toNanos();
        this.sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), ackTimeoutNanos / 4);
        this.timer = Objects.requireNonNull(timer, "timer");
        this.dispatch = Objects.requireNonNull(dispatch, "dispatch");
    }

    /** Delivers a message for the first time and starts its ack timeout. */
    public void deliver(String channel, byte[] payload, Position position) {
        dispatch(new Tracked(channel, payload, position, false));
    }

    /** Deliveries made and not yet acknowledged. */
    public int pending() {
        return pending.get();
    }

    /** Stops the sweep; nothing is redelivered after this. */
    @Override
    public void close() {
        closed = true;
        synchronized (sweeperLock) {
            if (sweeper != null) {
                sweeper.cancel(false);
            }
        }
        queue.clear();
        pending.set(0);
    }

    private void dispatch(Tracked delivery) {
        if (closed) {
            return;
        }
        pending.incrementAndGet();
        queue.add(delivery);
        startSweeper();
        dispatch.accept(delivery);
    }

    private void startSweeper() {
        synchronized (sweeperLock) {
            if (sweeper == null && !closed) {
                sweeper = timer.scheduleWithFixedDelay(this::sweep, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Tracked head = queue.peek(); head != null && !closed; head = queue.peek()) {
            if (head.settled.get()) {
                queue.poll();
            } else if (now - head.deliveredAt >= ackTimeoutNanos) {
                queue.poll();
                if (head.settled.compareAndSet(false, true)) {
                    pending.decrementAndGet();
                    dispatch(new Tracked(head.channel, head.payload, head.position, true));
                }
            } else {
                return;
            }
        }
    }

    private final class Tracked implements Delivery {
        final String channel;
        final byte[] payload;
        final Position position;
        final boolean redelivered;
        final long deliveredAt = System.nanoTime();
        // Set by ack() or by expiry, so that exactly one of them wins.
        final AtomicBoolean settled = new AtomicBoolean();

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
            if (settled.compareAndSet(false, true) && !closed) {
                pending.decrementAndGet();
            }
        }
    }
}
