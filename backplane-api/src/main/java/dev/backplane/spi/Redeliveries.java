package dev.backplane.spi;

import dev.backplane.Delivery;
import dev.backplane.Position;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * At-least-once acknowledgement for one subscription, for transports whose broker does not
 * redeliver by itself. Each delivery made through {@link #deliver} is queued on the
 * subscription's serial executor and handed to the subscriber; if it is not acknowledged within
 * the ack timeout <em>counted from that hand-over</em> (a backlog does not eat into it), it is
 * handed over again, flagged {@linkplain Delivery#redelivered() redelivered}, and again after each
 * further timeout, until it is acknowledged or this tracker is closed. A redelivery happens
 * between one and about 1.25 ack timeouts after the hand-over.
 */
public final class Redeliveries implements AutoCloseable {

    private final long ackTimeoutNanos;
    private final long sweepNanos;
    private final ScheduledExecutorService timer;
    private final Executor serial;
    private final Consumer<Delivery> handOver;
    // In hand-over order (queued under dispatchLock in the same order as on the serial executor);
    // as the timeout is the same for all, deadlines are in order too, so a sweep stops at the
    // first delivery that is not due or not yet handed over.
    private final ConcurrentLinkedQueue<Tracked> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Object sweeperLock = new Object();
    private final Object dispatchLock = new Object();
    private ScheduledFuture<?> sweeper;
    private volatile boolean closed;

    /**
     * @param ackTimeout how long a delivery may stay unacknowledged
     * @param timer runs the periodic sweep
     * @param serial the subscription's serial executor: every hand-over runs on it, in order
     * @param handOver gives a delivery to the subscriber; runs on {@code serial}
     */
    public Redeliveries(Duration ackTimeout, ScheduledExecutorService timer, Executor serial,
                        Consumer<Delivery> handOver) {
        this.ackTimeoutNanos = Objects.requireNonNull(ackTimeout, "ackTimeout").toNanos();
        this.sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), ackTimeoutNanos / 4);
        this.timer = Objects.requireNonNull(timer, "timer");
        this.serial = Objects.requireNonNull(serial, "serial");
        this.handOver = Objects.requireNonNull(handOver, "handOver");
    }

    /** Queues a message's first delivery; its ack timeout starts when it is handed over. */
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
        synchronized (dispatchLock) {
            queue.add(delivery);
            serial.execute(() -> {
                delivery.handedOverAt = System.nanoTime();
                handOver.accept(delivery);
            });
        }
        startSweeper();
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
            long handedOverAt = head.handedOverAt;
            if (head.settled.get()) {
                queue.poll();
            } else if (handedOverAt != 0 && now - handedOverAt >= ackTimeoutNanos) {
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
        // 0 until the subscriber is given it.
        volatile long handedOverAt;
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
