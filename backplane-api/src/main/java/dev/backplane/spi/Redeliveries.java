package dev.backplane.spi;

import dev.backplane.Delivery;
import dev.backplane.Position;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * At-least-once acknowledgement and flow control for one subscription, for transports whose
 * broker does not redeliver by itself.
 *
 * <p>Each delivery made through {@link #deliver} is queued on the subscription's serial executor
 * and handed to the subscriber; if it is not acknowledged within the ack timeout <em>counted
 * from that hand-over</em> (a backlog does not eat into it), it is handed over again, flagged
 * {@linkplain Delivery#redelivered() redelivered}, and again after each further timeout, until
 * it is acknowledged or this tracker is closed. A redelivery happens between one and about 1.25
 * ack timeouts after the hand-over.
 *
 * <p>Flow control: at most {@code maxUnacknowledged} messages are unacknowledged (queued or
 * handed over) at once. {@link #hasCapacity()} tells the transport whether to deliver more;
 * once it has answered false, the {@code onCapacity} hook runs when acknowledgements bring the
 * count down to half the bound, so the transport reads on for this subscription, and only it.
 */
public final class Redeliveries implements AutoCloseable {

    private static final VarHandle SETTLED;

    static {
        try {
            SETTLED = MethodHandles.lookup().findVarHandle(Tracked.class, "settled", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long ackTimeoutNanos;
    private final long sweepNanos;
    private final int maxUnacknowledged;
    private final int resumeAt;
    private final ScheduledExecutorService scheduler;
    private final Ticker ticker;
    private final Executor serial;
    private final Consumer<Delivery> handOver;
    private final Runnable onCapacity;
    // In hand-over order (queued under dispatchLock in the same order as on the serial executor);
    // as the timeout is the same for all, deadlines are in order too, so a sweep stops at the
    // first delivery that is not due or not yet handed over. Settled deliveries at the head are
    // removed as soon as they are acknowledged, so the queue holds what is unacknowledged and what
    // came after the oldest of those, not everything since the last sweep. Removals name their
    // element (remove(head), never poll), because acknowledging threads and the sweep remove
    // concurrently: a poll after a peek could take an element another thread did not look at.
    private final ConcurrentLinkedQueue<Tracked> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean waitingForCapacity = new AtomicBoolean();
    private final Object sweeperLock = new Object();
    private final Object dispatchLock = new Object();
    // Set once, under sweeperLock; read without it on every delivery.
    private volatile ScheduledFuture<?> sweeper;
    private volatile boolean closed;

    /**
     * @param ackTimeout how long a delivery may stay unacknowledged
     * @param maxUnacknowledged how many deliveries may be unacknowledged before {@link #hasCapacity()} says no
     * @param onCapacity runs (on the thread that acknowledges) when the count is down to half after
     *     {@link #hasCapacity()} said no; must be quick and must not block
     * @param scheduler runs the periodic sweep; null for none (tests call {@link #sweep()})
     * @param ticker the clock the ack timeout is measured on
     * @param serial the subscription's serial executor: every hand-over runs on it, in order
     * @param handOver gives a delivery to the subscriber; runs on {@code serial}
     */
    public Redeliveries(Duration ackTimeout, int maxUnacknowledged, Runnable onCapacity,
            ScheduledExecutorService scheduler, Ticker ticker, Executor serial, Consumer<Delivery> handOver) {
        this.ackTimeoutNanos = Objects.requireNonNull(ackTimeout, "ackTimeout").toNanos();
        this.sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), ackTimeoutNanos / 4);
        if (maxUnacknowledged < 2) {
            throw new IllegalArgumentException("maxUnacknowledged must be at least 2, was " + maxUnacknowledged);
        }
        this.maxUnacknowledged = maxUnacknowledged;
        this.resumeAt = maxUnacknowledged / 2;
        this.onCapacity = Objects.requireNonNull(onCapacity, "onCapacity");
        this.scheduler = scheduler;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
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

    /**
     * Whether the transport may deliver another message now. After a false answer, the
     * {@code onCapacity} hook runs once the unacknowledged count is down to half the bound.
     */
    public boolean hasCapacity() {
        if (pending.get() < maxUnacknowledged || closed) {
            return true;
        }
        waitingForCapacity.set(true);
        // An acknowledgement between the check and the flag would have missed the flag.
        return pending.get() <= resumeAt && waitingForCapacity.compareAndSet(true, false);
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

    /** Redelivers what is past its ack timeout. Runs periodically on the scheduler; public for tests with their own ticker. */
    public void sweep() {
        long now = ticker.nanoTime();
        for (Tracked head = queue.peek(); head != null && !closed; head = queue.peek()) {
            long handedOverAt = head.handedOverAt;
            if (head.isSettled()) {
                queue.remove(head);
            } else if (head.handedOver && now - handedOverAt >= ackTimeoutNanos) {
                queue.remove(head);
                if (head.settle()) {
                    pending.decrementAndGet();
                    dispatch(new Tracked(head.channel, head.payload, head.position, true));
                }
            } else {
                return;
            }
        }
    }

    private void dispatch(Tracked delivery) {
        if (closed) {
            return;
        }
        pending.incrementAndGet();
        synchronized (dispatchLock) {
            queue.add(delivery);
            serial.execute(delivery::handOverNow);
        }
        startSweeper();
    }

    private void acknowledged() {
        releaseAcknowledgedHeads();
        int left = pending.decrementAndGet();
        if (left <= resumeAt && waitingForCapacity.get() && waitingForCapacity.compareAndSet(true, false)) {
            onCapacity.run();
        }
    }

    /** Removes the settled deliveries at the head of the queue, up to the first unsettled one. */
    private void releaseAcknowledgedHeads() {
        for (Tracked head = queue.peek(); head != null && head.isSettled(); head = queue.peek()) {
            queue.remove(head);
        }
    }

    /** Deliveries the tracker holds (unacknowledged ones and those behind them), for tests. */
    int held() {
        return queue.size();
    }

    private void startSweeper() {
        if (scheduler == null || sweeper != null) {
            return;
        }
        synchronized (sweeperLock) {
            if (sweeper == null && !closed) {
                sweeper = scheduler.scheduleWithFixedDelay(this::sweepQuietly, sweepNanos, sweepNanos,
                        TimeUnit.NANOSECONDS);
            }
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException | Error e) {
            // A periodic task that throws is never run again: log and go on.
            System.getLogger(Redeliveries.class.getName()).log(System.Logger.Level.ERROR, "the redelivery sweep failed",
                    e);
        }
    }

    private final class Tracked implements Delivery {
        final String channel;
        final byte[] payload;
        final Position position;
        final boolean redelivered;
        volatile long handedOverAt;
        volatile boolean handedOver;
        // Set by ack() or by expiry, so that exactly one of them wins: 0, then 1 through SETTLED
        // (a field, not an AtomicBoolean: one object less per delivery).
        private volatile int settled;

        Tracked(String channel, byte[] payload, Position position, boolean redelivered) {
            this.channel = channel;
            this.payload = payload;
            this.position = position;
            this.redelivered = redelivered;
        }

        /** Gives it to the subscriber; the ack timeout counts from here. Runs on the serial executor. */
        void handOverNow() {
            handedOverAt = ticker.nanoTime();
            handedOver = true;
            handOver.accept(this);
        }

        boolean isSettled() {
            return settled != 0;
        }

        /** Settles it; true for the one call that did. */
        boolean settle() {
            return SETTLED.compareAndSet(this, 0, 1);
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
            if (settle() && !closed) {
                acknowledged();
            }
        }
    }
}
