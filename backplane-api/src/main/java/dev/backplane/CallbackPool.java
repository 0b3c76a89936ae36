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

    static ThreadGroup rootGroup() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        return g;
    }

    /**
     * Queues a task only when it can promise it a thread that waits for one; otherwise refuses it, so
     * that the pool makes a new thread for it, and only when the pool cannot grow does the task wait
     * here unpromised ({@link #enqueue}). Each promise takes one waiting thread out of the count at
     * once, so two tasks offered together never count on the same thread (one of them would sit here
     * behind threads that all block), and a thread whose idle time ran out stays while a promise may
     * be its.
     */
    private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
        /** Threads waiting for a task that no queued task has been promised. */
        private final AtomicInteger unpromised = new AtomicInteger();
        /** Queued tasks promised a waiting thread. */
        private final AtomicInteger promised = new AtomicInteger();

        @Override
        public boolean offer(Runnable task) {
            if (!decrementIfPositive(unpromised)) {
                return false; // no thread free for it: the pool makes one
            }
            promised.incrementAndGet();
            super.offer(task);
            return true;
        }

        void enqueue(Runnable task) {
            super.offer(task);
        }

        @Override
        public Runnable take() throws InterruptedException {
            unpromised.incrementAndGet();
            Runnable task;
            try {
                task = super.take();
            } catch (InterruptedException e) {
                leave();
                throw e;
            }
            taken();
            return task;
        }

        @Override
        public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
            unpromised.incrementAndGet();
            while (true) {
                Runnable task;
                try {
                    task = super.poll(timeout, unit);
                } catch (InterruptedException e) {
                    leave();
                    throw e;
                }
                if (task != null) {
                    taken();
                    return task;
                }
                if (decrementIfPositive(unpromised)) {
                    return null; // no queued task counts on this thread: it may end
                }
                // every waiting thread, this one too, is promised to a task on its way into the queue
            }
        }

        /** A queued task was taken: below the largest size, one that was promised. */
        private void taken() {
            if (!decrementIfPositive(promised)) {
                unpromised.decrementAndGet(); // one queued unpromised, at the largest size
            }
        }

        /** A waiting thread was interrupted and leaves. */
        private void leave() {
            if (!decrementIfPositive(unpromised)) {
                promised.decrementAndGet();
            }
        }

        private static boolean decrementIfPositive(AtomicInteger count) {
            while (true) {
                int n = count.get();
                if (n <= 0) {
                    return false;
                }
                if (count.compareAndSet(n, n - 1)) {
                    return true;
                }
            }
        }
    }
}
