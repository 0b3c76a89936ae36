package dev.backplane.spi;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneResources;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The subscriber side of one subscription, the same for every transport: messages and gaps are
 * handed to the {@link Subscriber} one at a time, in the order they were queued, on a
 * {@link SerialExecutor} over a shared pool; nothing is handed over once the subscription is
 * closed; what the subscriber throws is logged and does not stop later hand-overs.
 *
 * <p>Two kinds, chosen by the factory:
 * <ul>
 *   <li>{@linkplain #atLeastOnce at-least-once}: {@link #deliver} goes through {@link Redeliveries},
 *       so a delivery not acknowledged within the ack timeout is handed over again, flagged
 *       redelivered; {@link #hasCapacity()} is the flow control the transport obeys, per
 *       subscription, so one slow subscriber pauses only its own reading.</li>
 *   <li>{@linkplain #atMostOnce at-most-once}: {@link #offer} queues an {@link AtMostOnceDelivery};
 *       at most {@code maxBacklog} of them wait for the subscriber. Messages arriving while it is
 *       that far behind are dropped, and one {@link Subscriber#onGap} right after the messages
 *       kept says how many.</li>
 * </ul>
 *
 * <p>Made with the subscriber {@link AbstractBackplane} handed to {@code doSubscribe}, a dispatch
 * reports to the backplane's {@link BackplaneMonitor}: its backlog and unacknowledged deliveries
 * (read for metrics and health), and a {@link dev.backplane.BackplaneEvent.SubscriberBacklogFull}
 * each time it reaches its bound.
 *
 * <p>What stays with the transport: where it reads (cursors, offsets, consumers), flow control
 * towards the broker, and what it must undo when the subscription closes ({@link #close()} tells
 * it whether this call was the one that closed).
 */
public final class SubscriberDispatch {

    private static final System.Logger LOG = System.getLogger(SubscriberDispatch.class.getName());

    private final String channel;
    private final Subscriber subscriber;
    private final SerialExecutor executor;
    private final BooleanSupplier beforeHandOver;
    private final Runnable afterHandOver;
    private final AtomicBoolean closed = new AtomicBoolean();
    // At-least-once only.
    private final Redeliveries redeliveries;
    // At-most-once only.
    private final int maxBacklog;
    private final String backlogOption;
    private final AtomicInteger backlog = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean dropGapQueued = new AtomicBoolean();
    // The backplane's monitor, when the subscriber came through AbstractBackplane; else null.
    private final BackplaneMonitor monitor;
    private final int maxUnacknowledged;
    private final AtomicBoolean boundReported = new AtomicBoolean();

    private SubscriberDispatch(String channel, Subscriber subscriber, Executor pool, Duration ackTimeout,
            int maxUnacknowledged, Runnable onCapacity, ScheduledExecutorService scheduler, Ticker ticker,
            int maxBacklog, String backlogOption, BooleanSupplier beforeHandOver, Runnable afterHandOver) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.subscriber = Objects.requireNonNull(subscriber, "subscriber");
        this.executor = new SerialExecutor(pool);
        this.beforeHandOver = Objects.requireNonNull(beforeHandOver, "beforeHandOver");
        this.afterHandOver = Objects.requireNonNull(afterHandOver, "afterHandOver");
        this.redeliveries = ackTimeout == null ? null
                : new Redeliveries(ackTimeout, maxUnacknowledged, onCapacity, scheduler, ticker, executor, this::handOver);
        this.maxBacklog = maxBacklog;
        this.backlogOption = backlogOption;
        this.maxUnacknowledged = maxUnacknowledged;
        this.monitor = subscriber instanceof MonitoredSubscriber m ? m.monitor : null;
        if (monitor != null) {
            monitor.register(this);
        }
    }

    /**
     * At-least-once hand-over on the callback executor of {@code config}'s resources, with
     * redelivery after its {@code ackTimeout} and flow control at its {@code maxUnacknowledged}.
     *
     * @param onCapacity runs when the subscription can take more after {@link #hasCapacity()} said
     *     no (on the thread that acknowledged): the transport reads on for it. Quick, never blocking.
     */
    public static SubscriberDispatch atLeastOnce(String channel, Subscriber subscriber, BackplaneConfig config,
            Runnable onCapacity) {
        return atLeastOnce(channel, subscriber, config, onCapacity, () -> true, () -> { });
    }

    /**
     * At-least-once hand-over with steps of the transport's own around each message hand-over.
     *
     * @param beforeHandOver runs on the serial executor before each message hand-over (before the
     *     closed check); {@code false} skips that hand-over (it stays unacknowledged)
     * @param afterHandOver runs on the serial executor after each message hand-over that was not skipped
     */
    public static SubscriberDispatch atLeastOnce(String channel, Subscriber subscriber, BackplaneConfig config,
            Runnable onCapacity, BooleanSupplier beforeHandOver, Runnable afterHandOver) {
        BackplaneResources resources = config.resources();
        return atLeastOnce(channel, subscriber, resources.callbackExecutor(), resources.scheduler(), config.ackTimeout(),
                config.maxUnacknowledged(), onCapacity, beforeHandOver, afterHandOver);
    }

    /**
     * At-least-once hand-over with every part given.
     *
     * @param pool runs the hand-overs (the callback executor)
     * @param scheduler runs the redelivery sweep
     * @param maxUnacknowledged the flow-control bound, see {@link #hasCapacity()}
     * @param onCapacity runs when the subscription can take more after {@link #hasCapacity()} said no
     */
    public static SubscriberDispatch atLeastOnce(String channel, Subscriber subscriber, Executor pool,
            ScheduledExecutorService scheduler, Duration ackTimeout, int maxUnacknowledged, Runnable onCapacity,
            BooleanSupplier beforeHandOver, Runnable afterHandOver) {
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        return new SubscriberDispatch(channel, subscriber, pool, ackTimeout, maxUnacknowledged, onCapacity, scheduler,
                Ticker.SYSTEM, 0, null, beforeHandOver, afterHandOver);
    }

    /**
     * At-most-once hand-over on the callback executor of {@code config}'s resources, with a
     * backlog bounded by its {@code maxSubscriberBacklog}.
     */
    public static SubscriberDispatch atMostOnce(String channel, Subscriber subscriber, BackplaneConfig config) {
        return atMostOnce(channel, subscriber, config.resources().callbackExecutor(), config.maxSubscriberBacklog(),
                BackplaneConfig.MAX_SUBSCRIBER_BACKLOG);
    }

    /**
     * At-most-once hand-over with a bounded backlog.
     *
     * @param maxBacklog how many received messages may wait for the subscriber
     * @param backlogOption the option that sets {@code maxBacklog}, named in the gap for dropped messages
     */
    public static SubscriberDispatch atMostOnce(String channel, Subscriber subscriber, Executor pool, int maxBacklog,
            String backlogOption) {
        if (maxBacklog < 1) {
            throw new IllegalArgumentException("maxBacklog must be at least 1, was " + maxBacklog);
        }
        return new SubscriberDispatch(channel, subscriber, pool, null, 0, null, null, Ticker.SYSTEM, maxBacklog,
                Objects.requireNonNull(backlogOption, "backlogOption"), () -> true, () -> { });
    }

    /** The channel subscribed to. */
    public String channel() {
        return channel;
    }

    /** At-least-once: queues a message's first delivery; it is redelivered until acknowledged or closed. */
    public void deliver(byte[] payload, Position position) {
        requireAtLeastOnce().deliver(channel, payload, position);
    }

    /** At-least-once: deliveries made and not yet acknowledged, queued or handed over. */
    public int unacknowledged() {
        return requireAtLeastOnce().pending();
    }

    /**
     * At-least-once: whether the transport may deliver another message to this subscription now
     * (fewer than {@code maxUnacknowledged} are unacknowledged). After a false answer the
     * transport stops reading for this subscription, remembering where; the {@code onCapacity}
     * hook tells it when to go on. At-most-once: always true (the backlog bound applies instead).
     */
    public boolean hasCapacity() {
        if (redeliveries == null) {
            return true;
        }
        boolean room = redeliveries.hasCapacity();
        if (monitor != null) {
            if (!room && boundReported.compareAndSet(false, true)) {
                monitor.backlogFull(channel, maxUnacknowledged, BackplaneConfig.MAX_UNACKNOWLEDGED);
            } else if (room && boundReported.get()) {
                boundReported.set(false);
            }
        }
        return room;
    }

    /**
     * Whether the subscription is at its bound now: at-least-once, {@code maxUnacknowledged}
     * deliveries unacknowledged; at-most-once, {@code maxBacklog} messages waiting.
     */
    public boolean atBound() {
        return redeliveries != null ? redeliveries.pending() >= maxUnacknowledged : backlog.get() >= maxBacklog;
    }

    /** At-least-once: {@link #unacknowledged()}; at-most-once: 0. */
    int unacknowledgedOrZero() {
        return redeliveries == null ? 0 : redeliveries.pending();
    }

    /**
     * At-most-once: queues one message for the subscriber, or drops it (and owes the subscriber a
     * gap) when {@code maxBacklog} messages already wait.
     */
    public void offer(byte[] payload) {
        if (redeliveries != null) {
            throw new IllegalStateException("offer is for at-most-once dispatch; use deliver");
        }
        if (closed.get()) {
            return;
        }
        if (backlog.get() >= maxBacklog) {
            dropped.incrementAndGet();
            if (dropGapQueued.compareAndSet(false, true)) {
                if (monitor != null) {
                    monitor.backlogFull(channel, maxBacklog, backlogOption);
                }
                // Queued behind the backlog, so it comes right after the last message kept.
                executor.execute(this::reportDrops);
            }
            return;
        }
        backlog.incrementAndGet();
        AtMostOnceDelivery delivery = new AtMostOnceDelivery(channel, payload, Position.NONE);
        executor.execute(() -> {
            backlog.decrementAndGet();
            handOver(delivery);
        });
    }

    /** Queues a gap report, after everything queued before this call and before anything after it. */
    public void gap(Gap gap) {
        executor.execute(() -> handOverGap(gap));
    }

    /** Hands a gap to the subscriber now, unless closed. Call on the serial executor only (from a task of {@link #execute}). */
    public void handOverGap(Gap gap) {
        if (closed.get()) {
            return;
        }
        try {
            subscriber.onGap(gap);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "subscriber of channel '" + channel + "' threw on a gap", e);
        }
    }

    /** Runs a task of the transport in order with the hand-overs, for work that must precede later deliveries. */
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /**
     * Messages waiting for the subscriber: at-most-once, those received and not handed over yet;
     * at-least-once, the tasks queued on the serial executor and not yet started.
     */
    public int backlog() {
        return redeliveries == null ? backlog.get() : executor.backlog();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Stops all hand-overs and redeliveries. Idempotent.
     *
     * @return {@code true} for the call that closed, {@code false} if it was already closed
     */
    public boolean close() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        if (redeliveries != null) {
            redeliveries.close();
        }
        if (monitor != null) {
            monitor.unregister(this);
        }
        return true;
    }

    private void handOver(Delivery delivery) {
        if (!beforeHandOver.getAsBoolean() || closed.get()) {
            return;
        }
        try {
            subscriber.onMessage(delivery);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "subscriber of channel '" + channel + "' threw"
                    + (redeliveries == null ? "" : "; the delivery stays unacknowledged and comes again after the ack timeout"),
                    e);
        }
        afterHandOver.run();
    }

    private void reportDrops() {
        dropGapQueued.set(false);
        long count = dropped.getAndSet(0);
        if (count > 0) {
            handOverGap(new Gap(channel, Position.NONE, Position.NONE, count + " message(s) dropped: this subscriber fell "
                    + maxBacklog + " messages behind (option " + backlogOption + ")"));
        }
    }

    private Redeliveries requireAtLeastOnce() {
        if (redeliveries == null) {
            throw new IllegalStateException("deliver is for at-least-once dispatch; use offer");
        }
        return redeliveries;
    }
}
