package dev.backplane;

import java.util.concurrent.LinkedBlockingQueue;
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
        AtomicInteger alive = new AtomicInteger();
        AtomicInteger count = new AtomicInteger();
        // A group of their own: a thread made on demand must not land in whatever group the caller that
        // happened to need it belongs to (the pool outlives that caller).
        ThreadGroup group = new ThreadGroup(rootGroup(), prefix + "-callbacks");
        ThreadFactory threads = r -> {
            Thread t = new Thread(group, () -> {
                try {
                    r.run();
                } finally {
                    alive.decrementAndGet();
                }
            }, prefix + "-callback-" + count.incrementAndGet());
            t.setDaemon(true);
            alive.incrementAndGet();
            return t;
        };
        return new CallbackPool(coreThreads, maxThreads, new GrowFirstQueue(alive, maxThreads), threads);
    }

    private static ThreadGroup rootGroup() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        return g;
    }

    /** Refuses a task while no thread waits for one and the pool may still grow, so that it grows instead. */
    private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
        private final AtomicInteger alive;
        private final int maxThreads;
        private final AtomicInteger idle = new AtomicInteger();

        GrowFirstQueue(AtomicInteger alive, int maxThreads) {
            this.alive = alive;
            this.maxThreads = maxThreads;
        }

        @Override
        public boolean offer(Runnable task) {
            if (idle.get() == 0 && alive.get() < maxThreads) {
                return false; // every thread is busy: the pool makes a new one
            }
            return super.offer(task);
        }

        void enqueue(Runnable task) {
            super.offer(task);
        }

        @Override
        public Runnable take() throws InterruptedException {
            idle.incrementAndGet();
            try {
                return super.take();
            } finally {
                idle.decrementAndGet();
            }
        }

        @Override
        public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
            idle.incrementAndGet();
            try {
                return super.poll(timeout, unit);
            } finally {
                idle.decrementAndGet();
            }
        }
    }
}
