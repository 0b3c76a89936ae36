package dev.backplane.hub;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls waiting for one connection's sink, run one at a time, in order, on a shared pool. It
 * holds more than {@code limit} calls for at most {@code grace}, and never more than
 * {@code hardLimit}: a sink that stays further behind, or falls that far, is the caller's to end,
 * so one slow client cannot make the node's memory grow without bound, while a burst that a fast
 * client drains within the grace costs it nothing.
 */
final class ConnectionOutbox {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionOutbox.class);

    private final String connectionId;
    private final Executor pool;
    private final int limit;
    private final int hardLimit;
    private final long graceNanos;
    private final LongSupplier clock;
    private long overSince; // when the queue last went over limit (clock), valid while over
    private boolean over;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;
    private boolean closed;

    /**
     * @param limit the calls that may wait for longer than {@code grace}
     * @param hardLimit the calls that may ever wait
     * @param clock {@link System#nanoTime}, or a test's
     */
    ConnectionOutbox(String connectionId, Executor pool, int limit, int hardLimit, Duration grace, LongSupplier clock) {
        this.connectionId = connectionId;
        this.pool = pool;
        this.limit = limit;
        this.hardLimit = Math.max(limit, hardLimit);
        this.graceNanos = grace.toNanos();
        this.clock = clock;
    }

    /**
     * Queues a sink call. False only when the outbox holds {@code hardLimit} calls, or has held
     * {@code limit} or more for longer than the grace; a call offered after {@link #close} is
     * dropped (the connection is gone) and counts as taken.
     */
    synchronized boolean offer(Runnable call) {
        if (closed) {
            return true;
        }
        int size = queue.size();
        if (size >= hardLimit) {
            return false;
        }
        if (size >= limit) {
            long now = clock.getAsLong();
            if (!over) {
                over = true;
                overSince = now;
            }
            if (graceNanos == 0 || now - overSince > graceNanos) {
                return false;
            }
        }
        queue.add(call);
        startDraining();
        return true;
    }

    /**
     * Discards the calls still waiting and takes no more; {@code last} (may be null) runs after the
     * call in progress, as the sink's final call. Returns how many calls were discarded.
     */
    synchronized int close(Runnable last) {
        if (closed) {
            return 0;
        }
        closed = true;
        int discarded = queue.size();
        queue.clear();
        if (last != null) {
            queue.add(last);
            startDraining();
        }
        return discarded;
    }

    synchronized int size() {
        return queue.size();
    }

    private void startDraining() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // The node is closing: nothing will run these calls any more.
            draining = false;
            queue.clear();
        }
    }

    private void drain() {
        while (true) {
            Runnable call;
            synchronized (this) {
                call = queue.poll();
                if (queue.size() < limit) {
                    over = false;
                }
                if (call == null) {
                    draining = false;
                    return;
                }
            }
            try {
                call.run();
            } catch (RuntimeException e) {
                LOG.warn("sink of connection " + connectionId + " threw", e);
            }
        }
    }
}
