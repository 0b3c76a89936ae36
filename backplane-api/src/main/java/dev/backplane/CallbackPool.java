package dev.backplane;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default callback executor: a pool that adds a thread whenever none of its threads is idle,
 * up to {@code maxThreads}, before it queues anything, and lets threads beyond {@code coreThreads}
 * end after a minute idle. A callback that blocks (on a database, on another future) holds only
 * its own thread; the next task gets another. Only when {@code maxThreads} are all busy do tasks
 * wait, in submission order, in a queue whose length the backplanes bound (their outboxes and
 * {@code maxUnacknowledged}).
 *
 * <p>A plain {@link ThreadPoolExecutor} grows only once its queue is full, which would let a few
 * blocked callbacks starve every other one; its queue here refuses a task while no thread waits
 * for one and the pool may still grow, and takes it once the pool cannot.
 */
final class CallbackPool extends ThreadPoolExecutor {

    private CallbackPool(int coreThreads, int maxThreads, GrowFirstQueue queue, ThreadFactory threads) {
        super(coreThreads, maxThreads, 60, TimeUnit.SECONDS, queue, threads, (task, pool) -> {
            if (pool.isShutdown()) {
                throw new RejectedExecutionException("the callback pool is shut down");
            }
            queue.enqueue(task);
        });
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
        return new CallbackPool(coreThreads, maxThreads, new GrowFirstQueue(), threads);
    }

    private static ThreadGroup rootGroup() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        return g;
    }

    /**
     * Takes a task only by handing it to a thread that is waiting for one, at once ({@link #tryTransfer}); otherwise
     * the pool makes a new thread for it, and only when it cannot does the task wait here ({@link #enqueue}). The
     * hand-over is atomic: two tasks offered at once never both count on the same idle thread, which a count of
     * idle threads checked before queueing would allow, leaving a task queued behind threads that all block.
     */
    private static final class GrowFirstQueue extends LinkedTransferQueue<Runnable> {
        @Override
        public boolean offer(Runnable task) {
            return tryTransfer(task);
        }

        void enqueue(Runnable task) {
            super.offer(task);
        }
    }
}
