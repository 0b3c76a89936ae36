package dev.backplane.hub;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls waiting for one connection's sink, run one at a time, in order, on a shared pool. It
 * holds at most {@code limit} calls: a sink that falls further behind is the caller's to end, so
 * one slow client cannot make the node's memory grow without bound.
 */
final class ConnectionOutbox {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionOutbox.class);

    private final String connectionId;
    private final Executor pool;
    private final int limit;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;
    private boolean closed;

    ConnectionOutbox(String connectionId, Executor pool, int limit) {
        this.connectionId = connectionId;
        this.pool = pool;
        this.limit = limit;
    }

    /**
     * Queues a sink call. False only when the outbox is full; a call offered after {@link #close}
     * is dropped (the connection is gone) and counts as taken.
     */
    synchronized boolean offer(Runnable call) {
        if (closed) {
            return true;
        }
        if (queue.size() >= limit) {
            return false;
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
