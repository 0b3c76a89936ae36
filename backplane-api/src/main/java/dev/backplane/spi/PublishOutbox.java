package dev.backplane.spi;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneEvent;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.PublishFailure;
import dev.backplane.PublishOutcomeUnknownException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The publish machinery every transport shares: a bounded outbox of {@link PendingPublish}es in
 * call order, the deadline of each, and the truth about each outcome.
 *
 * <ul>
 *   <li><b>Bounded.</b> At most {@code maxPendingPublishes} publishes and {@code outboxBytes}
 *       bytes are unsettled at once (queued or written and unanswered). A publish beyond that
 *       fails at once with {@link BrokerUnavailableException} naming the option to raise; it was
 *       not sent.</li>
 *   <li><b>Deadlines.</b> Every publish is settled within {@code publishTimeout} of its call,
 *       whatever the connection does: a sweep on the scheduler fails it at its deadline, with
 *       {@link BrokerUnavailableException} if it was never written (exact: it will not be sent
 *       later) or {@link PublishOutcomeUnknownException} if it was.</li>
 *   <li><b>Callbacks elsewhere.</b> Futures complete through {@link Completions} on the callback
 *       executor, never on the transport's thread that learned the outcome, nor on the sweep.</li>
 *   <li><b>Order.</b> {@link #poll} and {@link #take} hand out queued publishes in call order;
 *       {@link #requeue} puts publishes to send again back at the head, in their order.</li>
 * </ul>
 *
 * <p>The transport's side: take queued publishes ({@link #poll}, {@link #take}, {@link #drainTo}:
 * from then on their deadlines are kept while the transport holds them), {@link #markWritten} each
 * right before its bytes go to the broker (a publish that expired meanwhile is refused, so an
 * expiry never races a write into a false "not sent"; {@link #notWritten} undoes that for a write the
 * client refused at the call), and report {@link #succeed}, {@link #fail},
 * {@link #lost} (connection broke, outcome unknown) or {@link #requeue} (sent again later, for
 * transports whose broker drops duplicates); {@link #requeueNotWritten} when the client refused the
 * bytes after all and the publish should go back to the head of the queue.
 *
 * <p>Given the backplane's {@link BackplaneMonitor}, the outbox counts every outcome there: each
 * success with its latency (call to acceptance), each failure by {@link PublishFailure cause}, and
 * raises {@link BackplaneEvent.OutboxFilling} when it holds more than
 * {@link BackplaneEvent.OutboxFilling#THRESHOLD} of a bound ({@link BackplaneEvent.OutboxDrained}
 * once it is down to half that). The monitor reads its depth for metrics and health.
 */
public final class PublishOutbox implements AutoCloseable {

    /** Option: how many publishes may be unsettled at once (default 10000). */
    public static final String MAX_PENDING_PUBLISHES = BackplaneConfig.MAX_PENDING_PUBLISHES;
    /** Option: how many bytes unsettled publishes may hold (default 32 MiB). */
    public static final String OUTBOX_BYTES = BackplaneConfig.OUTBOX_BYTES;

    private final String broker;
    private final long timeoutNanos;
    private final int maxPending;
    private final long maxBytes;
    private final Completions completions;
    private final Ticker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    // Not yet written, in call order, which is deadline order (guarded by lock).
    private final ArrayDeque<PendingPublish> queued = new ArrayDeque<>();
    // Taken by the transport (written or about to be) and unanswered, in the order taken: close to
    // deadline order, which is all the sweep needs.
    private final ConcurrentLinkedQueue<PendingPublish> taken = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final ScheduledFuture<?> sweeper;
    private final BackplaneMonitor monitor;
    private final java.util.concurrent.atomic.AtomicBoolean filling = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile String unavailableBecause;
    private volatile boolean closed;

    /**
     * @param broker the broker's address, for messages ("Redis at 127.0.0.1:6379")
     * @param config supplies {@code publishTimeout}, {@code maxPendingPublishes} and {@code outboxBytes}
     * @param completions completes the callers' futures
     * @param scheduler runs the deadline sweep
     * @param ticker the clock deadlines are kept on
     * @param monitor the backplane's ({@code AbstractBackplane.monitor}), which counts every outcome
     */
    public PublishOutbox(String broker, BackplaneConfig config, Completions completions,
            ScheduledExecutorService scheduler, Ticker ticker, BackplaneMonitor monitor) {
        this(broker, config.publishTimeout(), config.maxPendingPublishes(), config.outboxBytes(), completions, scheduler,
                ticker, monitor);
    }

    /** As the other constructors, with the limits given directly and no monitor. */
    public PublishOutbox(String broker, Duration publishTimeout, int maxPendingPublishes, long outboxBytes,
            Completions completions, ScheduledExecutorService scheduler, Ticker ticker) {
        this(broker, publishTimeout, maxPendingPublishes, outboxBytes, completions, scheduler, ticker, null);
    }

    /** As the other constructors, with the limits given directly. */
    public PublishOutbox(String broker, Duration publishTimeout, int maxPendingPublishes, long outboxBytes,
            Completions completions, ScheduledExecutorService scheduler, Ticker ticker, BackplaneMonitor monitor) {
        this.monitor = monitor;
        if (monitor != null) {
            monitor.register(this);
        }
        this.broker = Objects.requireNonNull(broker, "broker");
        this.timeoutNanos = publishTimeout.toNanos();
        this.maxPending = maxPendingPublishes;
        this.maxBytes = outboxBytes;
        this.completions = Objects.requireNonNull(completions, "completions");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        long sweep = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(TimeUnit.MILLISECONDS.toNanos(50),
                timeoutNanos / 20));
        this.sweeper = scheduler == null ? null
                : scheduler.scheduleWithFixedDelay(this::sweepQuietly, sweep, sweep, TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------ the caller's side

    /**
     * Queues a publish of {@code payload} (the outbox's own copy from now on) and returns it. Its
     * future may already have failed: closed, or over a bound.
     */
    public PendingPublish submit(String channel, byte[] payload) {
        return submit(channel, payload, null);
    }

    /**
     * As {@link #submit(String, byte[])}, with something of the transport's kept with the publish
     * ({@link PendingPublish#attachment()}), set before any thread can take it.
     */
    public PendingPublish submit(String channel, byte[] payload, Object attachment) {
        PendingPublish p = new PendingPublish(channel, payload, ticker.nanoTime() + timeoutNanos);
        p.attach(attachment);
        if (closed) {
            settleNow(p, new BrokerUnavailableException("publish to '" + channel + "' not sent: the backplane ("
                    + broker + ") is closed"), PublishFailure.CLOSED);
            return p;
        }
        long size = p.size();
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            settleNow(p, full(p, maxPending + " publishes are", MAX_PENDING_PUBLISHES), PublishFailure.OUTBOX_FULL);
            return p;
        }
        if (pendingBytes.addAndGet(size) > maxBytes) {
            pendingBytes.addAndGet(-size);
            pending.decrementAndGet();
            settleNow(p, full(p, "publishes of " + maxBytes + " bytes in all are", OUTBOX_BYTES),
                    PublishFailure.OUTBOX_FULL);
            return p;
        }
        lock.lock();
        try {
            queued.addLast(p);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
        if (monitor != null && !filling.get() && fill() > BackplaneEvent.OutboxFilling.THRESHOLD
                && filling.compareAndSet(false, true)) {
            monitor.outboxFilling(this);
        }
        if (closed) {
            failQueued("the backplane was closed");
        }
        return p;
    }

    // ------------------------------------------------------------------ the transport's side

    /** The next queued publish, or null if none is queued. */
    public PendingPublish poll() {
        lock.lock();
        try {
            return pollQueued();
        } finally {
            lock.unlock();
        }
    }

    /** The next queued publish, waiting up to {@code timeout} for one; null if none came. */
    public PendingPublish take(long timeout, TimeUnit unit) throws InterruptedException {
        long left = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (true) {
                PendingPublish p = pollQueued();
                if (p != null || left <= 0 || closed) {
                    return p;
                }
                left = notEmpty.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves up to {@code max} queued publishes, in order, into {@code into}; returns how many. */
    public int drainTo(Collection<PendingPublish> into, int max) {
        int n = 0;
        lock.lock();
        try {
            for (PendingPublish p; n < max && (p = pollQueued()) != null; n++) {
                into.add(p);
            }
        } finally {
            lock.unlock();
        }
        return n;
    }

    /** Whether nothing is queued (written publishes awaiting answers do not count). */
    public boolean nothingQueued() {
        lock.lock();
        try {
            return queued.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Call right before {@code p}'s bytes go to the broker. False if it was settled meanwhile (it
     * expired): then do not send it.
     */
    public boolean markWritten(PendingPublish p) {
        return p.markWritten();
    }

    /**
     * Undoes {@link #markWritten} for a write the client refused at the call, before any byte of
     * {@code p} left (its buffer was full, it had no route to the broker yet): {@code p} counts as
     * never written again, so if it expires it fails as not sent. The transport still holds it and
     * may write it later. False if it was settled meanwhile.
     */
    public boolean notWritten(PendingPublish p) {
        return p.markNotWritten();
    }

    /** The broker took {@code p}. */
    public void succeed(PendingPublish p, Position position) {
        if (settle(p)) {
            if (monitor != null) {
                monitor.published(ticker.nanoTime() - (p.deadlineNanos() - timeoutNanos));
            }
            completions.succeed(p.future, position);
        }
    }

    /** {@code p} failed with {@code error}, as the transport knows it (a refusal, a permission error). */
    public void fail(PendingPublish p, RuntimeException error) {
        if (settle(p)) {
            failed(p, error instanceof PublishOutcomeUnknownException ? PublishFailure.OUTCOME_UNKNOWN
                    : error instanceof BrokerUnavailableException ? PublishFailure.UNAVAILABLE : PublishFailure.REFUSED,
                    error);
        }
    }

    /**
     * The connection broke before the broker answered {@code p}: it fails with
     * {@link PublishOutcomeUnknownException} if it was written, {@link BrokerUnavailableException}
     * if not.
     */
    public void lost(PendingPublish p, String why, Throwable cause) {
        boolean unknown = p.outcomeUnknownIfLost();
        if (settle(p)) {
            failed(p, unknown ? PublishFailure.OUTCOME_UNKNOWN : closed ? PublishFailure.CLOSED : PublishFailure.UNAVAILABLE,
                    unknown
                    ? new PublishOutcomeUnknownException("publish to '" + p.channel() + "' at " + broker + ": " + why
                            + "; it was written, so it may or may not have been published", cause)
                    : new BrokerUnavailableException("publish to '" + p.channel() + "' at " + broker + " not sent: "
                            + why, cause));
        }
    }

    /** As {@link #lost(PendingPublish, String, Throwable)} for each of {@code publishes}. */
    public void lost(Collection<PendingPublish> publishes, String why, Throwable cause) {
        for (PendingPublish p : publishes) {
            lost(p, why, cause);
        }
    }

    /**
     * Puts written publishes back at the head of the queue, in the order given, to be sent again
     * (for brokers that recognise a resent message). Those already settled are skipped. Their
     * deadlines stay; if one expires now, it fails with {@link PublishOutcomeUnknownException}.
     */
    public void requeue(List<PendingPublish> publishes) {
        lock.lock();
        try {
            for (int i = publishes.size() - 1; i >= 0; i--) {
                PendingPublish p = publishes.get(i);
                if (p.markRequeued()) {
                    queued.addFirst(p);
                }
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * As {@link #notWritten}, and {@code p} goes back to the head of the queue, to be taken again
     * first: the client refused its bytes after {@link #markWritten} (the connection went down
     * between the check and the write), nothing went out, and it fails as not sent
     * ({@link BrokerUnavailableException}) if it expires before it is written. Skipped if it was
     * settled meanwhile.
     */
    public void requeueNotWritten(PendingPublish p) {
        lock.lock();
        try {
            if (p.markUnwritten()) {
                queued.addFirst(p);
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Says why the broker cannot be reached, for the message of publishes that expire unsent; null once it can. */
    public void unavailable(String why) {
        this.unavailableBecause = why;
    }

    /** Unsettled publishes (queued or written). */
    public int pending() {
        return pending.get();
    }

    /** Bytes unsettled publishes hold. */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    /** The deadline a publish made now would get, for transports that pass a timeout on to their client. */
    public long deadlineFromNow() {
        return ticker.nanoTime() + timeoutNanos;
    }

    /** Nanoseconds until {@code p}'s deadline (negative once passed). */
    public long remainingNanos(PendingPublish p) {
        return p.deadlineNanos() - ticker.nanoTime();
    }

    /**
     * Fails every publish past its deadline. Runs periodically on the scheduler; public so that
     * tests with their own {@link Ticker} can run it after advancing time.
     */
    public void sweep() {
        long now = ticker.nanoTime();
        List<PendingPublish> expired = null;
        lock.lock();
        try {
            for (PendingPublish head = queued.peekFirst(); head != null && (head.isSettled()
                    || now - head.deadlineNanos() >= 0); head = queued.peekFirst()) {
                queued.pollFirst();
                if (!head.isSettled()) {
                    (expired == null ? expired = new ArrayList<>() : expired).add(head);
                }
            }
        } finally {
            lock.unlock();
        }
        if (expired != null) {
            for (PendingPublish p : expired) {
                expire(p);
            }
        }
        for (PendingPublish head = taken.peek(); head != null; head = taken.peek()) {
            if (!head.isTakenOrWritten()) {
                taken.poll(); // settled, or requeued (it is in the queue again)
            } else if (now - head.deadlineNanos() >= 0) {
                taken.poll();
                expire(head);
            } else {
                return;
            }
        }
    }

    /** Waits up to {@code grace} for every unsettled publish to settle; true if none is left. */
    public boolean awaitSettled(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        while (pending.get() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Refuses new publishes and fails every unsettled one. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        lock.lock();
        try {
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        failQueued("the backplane was closed");
        for (PendingPublish p; (p = taken.poll()) != null; ) {
            lost(p, "the backplane was closed before the broker answered", null);
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ internals

    private PendingPublish pollQueued() {
        for (PendingPublish p = queued.pollFirst(); p != null; p = queued.pollFirst()) {
            if (p.markTaken()) {
                taken.add(p);
                return p;
            }
        }
        return null;
    }

    private void failQueued(String why) {
        List<PendingPublish> left = new ArrayList<>();
        lock.lock();
        try {
            left.addAll(queued);
            queued.clear();
        } finally {
            lock.unlock();
        }
        for (PendingPublish p : left) {
            lost(p, why, null);
        }
    }

    private void expire(PendingPublish p) {
        boolean unknown = p.outcomeUnknownIfLost();
        String timeout = "within publishTimeout " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + "ms";
        String why = unavailableBecause;
        if (settle(p)) {
            failed(p, unknown ? PublishFailure.OUTCOME_UNKNOWN : PublishFailure.UNAVAILABLE, unknown
                    ? new PublishOutcomeUnknownException("publish to '" + p.channel() + "' not confirmed " + timeout
                            + ": " + broker + " did not answer; it was written, so it may or may not have been published")
                    : new BrokerUnavailableException("publish to '" + p.channel() + "' not sent " + timeout + ": "
                            + (why != null ? why : broker + " did not take it in time")));
        }
    }

    private boolean settle(PendingPublish p) {
        if (!p.settle()) {
            return false;
        }
        pending.decrementAndGet();
        pendingBytes.addAndGet(-p.size());
        if (monitor != null && filling.get() && fill() <= BackplaneEvent.OutboxFilling.THRESHOLD / 2
                && filling.compareAndSet(true, false)) {
            monitor.outboxDrained(this);
        }
        return true;
    }

    private void failed(PendingPublish p, PublishFailure cause, RuntimeException error) {
        if (monitor != null) {
            monitor.publishFailed(p.channel(), cause, error);
        }
        completions.fail(p.future, error);
    }

    private void settleNow(PendingPublish p, BrokerUnavailableException error, PublishFailure cause) {
        p.settle();
        if (monitor != null) {
            monitor.publishFailed(p.channel(), cause, error);
        }
        p.future.completeExceptionally(error); // no callbacks can be chained yet: the caller has not seen it
    }

    /** The larger of the two fills, by count and by bytes, from 0 to 1. */
    double fill() {
        return Math.max((double) pending.get() / maxPending, (double) pendingBytes.get() / maxBytes);
    }

    /** The bound on unsettled publishes ({@code maxPendingPublishes}). */
    public int maxPending() {
        return maxPending;
    }

    /** The bound on the bytes they hold ({@code outboxBytes}). */
    public long maxBytes() {
        return maxBytes;
    }

    private BrokerUnavailableException full(PendingPublish p, String what, String option) {
        String why = unavailableBecause;
        return new BrokerUnavailableException("publish to '" + p.channel() + "' refused: " + what
                + " already waiting for " + broker + (why != null ? " (" + why + ")" : " (it is not keeping up)")
                + "; it was not sent. Wait for earlier publishes to complete, or raise option " + option);
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException | Error e) {
            // A sweep that throws must not stop the next one (a periodic task dies with its first exception).
            System.getLogger(PublishOutbox.class.getName()).log(System.Logger.Level.ERROR,
                    "the publish deadline sweep failed", e);
        }
    }
}
