package dev.backplane;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The default callback executor: {@code coreThreads} threads that take tasks in submission order,
 * and a watchdog that adds a thread, up to {@code maxThreads}, each time tasks wait and no thread
 * has started one for {@value #STARVED_MILLIS} ms. A callback that blocks (on a database, on
 * another future) holds only its own thread: the tasks behind it get another within a few
 * milliseconds. Threads beyond {@code coreThreads} end after a minute idle. At {@code maxThreads}
 * tasks wait, in submission order, in a queue whose length the backplanes bound (their outboxes
 * and {@code maxUnacknowledged}). The queue is a {@link CallbackQueue}: an idle thread watches it for
 * a few microseconds before it parks, so a steady stream of tasks costs no wake-up per task.
 *
 * <p>Why not grow whenever no thread is idle: under load on a machine with few cores the threads
 * are busy because they are running, not because they are blocked, and a thread added then only
 * adds context switches. A pool that grew that way reached a hundred threads on two cores under a
 * steady stream of short callbacks. Progress (a task started) is what tells running from blocked.
 */
final class CallbackPool extends ThreadPoolExecutor {

    /** How long queued tasks may wait without any thread starting one before a thread is added. */
    static final long STARVED_MILLIS = 10;

    private final WatchedQueue queue;
    private final LongAdder started = new LongAdder();
    private final Thread watchdog;
    private volatile boolean watchdogIdle;

    private CallbackPool(int coreThreads, int maxThreads, WatchedQueue queue, ThreadFactory threads,
            ThreadFactory watchdogThreads) {
        super(coreThreads, maxThreads, 60, TimeUnit.SECONDS, queue, threads, (task, pool) -> {
            if (pool.isShutdown()) {
                throw new RejectedExecutionException("the callback pool is shut down");
            }
            queue.offerFirst(task); // only the watchdog is refused, at maxThreads: the task goes back first in line
        });
        this.queue = queue;
        queue.pool = this;
        this.watchdog = watchdogThreads.newThread(this::watch);
        watchdog.start();
    }

    static CallbackPool create(String prefix, int coreThreads, int maxThreads) {
        AtomicInteger count = new AtomicInteger();
        // A group of their own: a thread made on demand must not land in whatever group the caller that
        // happened to need it belongs to (the pool outlives that caller).
        ThreadGroup group = new ThreadGroup(rootGroup(), prefix + "-callbacks");
        ThreadFactory threads = r -> {
            Thread t = new Thread(group, r, prefix + "-callback-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ThreadFactory watchdogThreads = r -> {
            Thread t = new Thread(group, r, prefix + "-callback-watchdog");
            t.setDaemon(true);
            return t;
        };
        return new CallbackPool(coreThreads, maxThreads, new WatchedQueue(), threads, watchdogThreads);
    }

    static ThreadGroup rootGroup() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        return g;
    }

    @Override
    protected void beforeExecute(Thread t, Runnable r) {
        started.increment();
    }

    @Override
    public void shutdown() {
        super.shutdown();
        LockSupport.unpark(watchdog);
    }

    @Override
    public java.util.List<Runnable> shutdownNow() {
        java.util.List<Runnable> queued = super.shutdownNow();
        LockSupport.unpark(watchdog);
        return queued;
    }

    /**
     * The watchdog: sleeps while nothing waits; while tasks wait, looks every
     * {@value #STARVED_MILLIS} ms whether a thread started one, and if none did, gives the oldest
     * to a new thread. It only moves tasks: it never runs one.
     */
    private void watch() {
        long nanos = TimeUnit.MILLISECONDS.toNanos(STARVED_MILLIS);
        // Ends at shutdown: a shut-down pool makes no thread for a task, so there is nothing left to watch.
        while (!isShutdown()) {
            if (queue.isEmpty()) {
                watchdogIdle = true;
                if (queue.isEmpty() && !isShutdown()) {
                    LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
                }
                watchdogIdle = false;
                continue;
            }
            long before = started.sum();
            long deadline = System.nanoTime() + nanos;
            for (long left = nanos; left > 0 && !isShutdown(); left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(this, left); // an unpark meant for the idle wait must not cut this one short
            }
            if (started.sum() == before && !isShutdown() && getPoolSize() < getMaximumPoolSize()) {
                Runnable oldest = queue.pollFirst();
                if (oldest != null) {
                    try {
                        execute(oldest); // refused by the queue on this thread: a new thread runs it
                    } catch (RejectedExecutionException shutDownMeanwhile) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * The pool's queue: takes every task (the pool never grows because of an offer, only because
     * of the watchdog), except one the watchdog hands in, which it refuses so that the pool makes
     * a thread for it; and wakes the watchdog when tasks start to wait.
     */
    private static final class WatchedQueue extends CallbackQueue {
        private CallbackPool pool;

        @Override
        public boolean offer(Runnable task) {
            CallbackPool p = pool;
            if (p != null && Thread.currentThread() == p.watchdog) {
                return false;
            }
            super.offer(task);
            if (p != null && p.watchdogIdle) {
                LockSupport.unpark(p.watchdog);
            }
            return true;
        }
    }
}
