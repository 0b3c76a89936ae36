package dev.backplane;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The default callback executor: a pool that keeps {@code coreThreads} threads free for short
 * callbacks and adds one for every callback that blocks, up to {@code maxThreads}. A thread that has
 * run its current task for longer than {@link #BLOCKED_AFTER_NANOS} counts as blocked (on a
 * database, on another future); while fewer than {@code coreThreads} threads are not blocked and a
 * task waits, the pool adds a thread, at the offer or, for tasks already queued when their threads
 * block, from a watchdog that looks every few milliseconds while tasks wait. A burst of short tasks
 * therefore waits in the queue for the threads there are, as in any fixed pool, instead of growing
 * the pool; a callback that blocks holds only its own thread, and one that waits for a task queued
 * behind it gets a thread for that task within a few milliseconds. Threads beyond
 * {@code coreThreads} end after a minute idle. Only when {@code maxThreads} are all busy do tasks
 * wait for a blocked one, in submission order, in a queue whose length the backplanes bound (their
 * outboxes and {@code maxUnacknowledged}).
 *
 * <p>A plain {@link ThreadPoolExecutor} grows only once its queue is full, which would let a few
 * blocked callbacks starve every other one; one that grows whenever no thread is idle makes a
 * thread for every task of a burst. Here the queue promises a task to a thread that waits for one
 * when there is such a thread, refuses it (so that the pool makes a thread) when too few threads
 * are free of blocked tasks, and otherwise keeps it for the next thread that finishes.
 */
final class CallbackPool extends ThreadPoolExecutor {

    /** How long a thread runs one task before it counts as blocked: the pool then adds a thread for the tasks behind it. */
    static final long BLOCKED_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final Runnable NOTHING = () -> { };

    private final int coreThreads;
    private final GrowFirstQueue queue;
    private final Set<CallbackThread> threads = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private final AtomicBoolean watching = new AtomicBoolean();

    private CallbackPool(String prefix, int coreThreads, int maxThreads, GrowFirstQueue queue, ThreadGroup group) {
        super(coreThreads, maxThreads, 60, TimeUnit.SECONDS, queue, new Threads(prefix, group), (task, pool) -> {
            if (pool.isShutdown()) {
                throw new RejectedExecutionException("the callback pool is shut down");
            }
            queue.enqueue(task);
        });
        this.coreThreads = coreThreads;
        this.queue = queue;
        queue.pool = this;
        ((Threads) getThreadFactory()).pool = this;
        this.watchdog = new Thread(group, this::watch, prefix + "-callback-watchdog");
        watchdog.setDaemon(true);
    }

    static CallbackPool create(String prefix, int coreThreads, int maxThreads) {
        // A group of their own: a thread made on demand must not land in whatever group the caller that
        // happened to need it belongs to (the pool outlives that caller).
        ThreadGroup group = new ThreadGroup(rootGroup(), prefix + "-callbacks");
        return new CallbackPool(prefix, coreThreads, maxThreads, new GrowFirstQueue(), group);
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
        ((CallbackThread) t).taskStarted = System.nanoTime() | 1; // never 0, which means idle
    }

    @Override
    protected void afterExecute(Runnable r, Throwable t) {
        ((CallbackThread) Thread.currentThread()).taskStarted = 0;
    }

    @Override
    protected void terminated() {
        LockSupport.unpark(watchdog);
    }

    /** Whether fewer than the core threads are free of a blocked task, and the pool may still grow. */
    private boolean shortOfFreeThreads() {
        // the threads made, counted from their making (getPoolSize() would take the pool's lock)
        return threads.size() < getMaximumPoolSize() && freeThreads() < coreThreads;
    }

    private int freeThreads() {
        long now = System.nanoTime();
        int blocked = 0;
        for (CallbackThread t : threads) {
            long started = t.taskStarted;
            if (started != 0 && now - started > BLOCKED_AFTER_NANOS) {
                blocked++;
            }
        }
        return threads.size() - blocked;
    }

    /** A task waits for a thread: the watchdog looks after it until none waits. */
    private void taskWaiting() {
        if (!watching.get() && watching.compareAndSet(false, true)) {
            if (watchdog.getState() == Thread.State.NEW) {
                synchronized (watchdog) {
                    if (watchdog.getState() == Thread.State.NEW) {
                        watchdog.start();
                        return;
                    }
                }
            }
            LockSupport.unpark(watchdog);
        }
    }

    /** On the watchdog thread: adds threads while tasks wait behind blocked ones. Never runs a task. */
    private void watch() {
        while (!isShutdown()) {
            if (queue.isEmpty()) {
                watching.set(false);
                if (queue.isEmpty()) { // a task queued before the flag was down would not have woken us
                    LockSupport.park(this);
                    continue;
                }
                watching.set(true);
            }
            while (!queue.isEmpty() && shortOfFreeThreads()) {
                queue.growNext = true;
                try {
                    super.execute(NOTHING); // refused by the queue: the pool starts a thread, which then takes a waiting task
                } catch (RejectedExecutionException e) {
                    return; // shut down
                }
            }
            LockSupport.parkNanos(this, BLOCKED_AFTER_NANOS / 2);
        }
    }

    /** A pool thread that says when it started its current task. */
    private static final class CallbackThread extends Thread {
        volatile long taskStarted;

        CallbackThread(ThreadGroup group, Runnable worker, String name) {
            super(group, worker, name);
            setDaemon(true);
        }
    }

    private static final class Threads implements ThreadFactory {
        private final String prefix;
        private final ThreadGroup group;
        private final AtomicInteger count = new AtomicInteger();
        volatile CallbackPool pool;

        Threads(String prefix, ThreadGroup group) {
            this.prefix = prefix;
            this.group = group;
        }

        @Override
        public Thread newThread(Runnable worker) {
            CallbackPool owner = pool;
            CallbackThread[] made = new CallbackThread[1];
            made[0] = new CallbackThread(group, () -> {
                try {
                    worker.run();
                } finally {
                    owner.threads.remove(made[0]);
                }
            }, prefix + "-callback-" + count.incrementAndGet());
            owner.threads.add(made[0]); // counted from now: the watchdog must not make another while this one starts
            return made[0];
        }
    }

    /**
     * Queues a task with a promise of a thread that waits for one, when there is such a thread;
     * refuses it, so that the pool makes a thread, when too few threads are free of blocked tasks;
     * otherwise queues it unpromised for the next thread that finishes ({@link #enqueue} at the
     * largest size). Each promise takes one waiting thread out of the count at once, so two tasks
     * offered together never count on the same thread, and a thread whose idle time ran out stays
     * while a promise may be its.
     */
    private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
        /** Threads waiting for a task that no queued task has been promised. */
        private final AtomicInteger unpromised = new AtomicInteger();
        /** Queued tasks promised a waiting thread. */
        private final AtomicInteger promised = new AtomicInteger();
        volatile CallbackPool pool;
        /** Set by the watchdog for its next offer, which is refused so that the pool grows. */
        volatile boolean growNext;

        @Override
        public boolean offer(Runnable task) {
            if (task == NOTHING && growNext) {
                growNext = false;
                return false;
            }
            if (decrementIfPositive(unpromised)) {
                promised.incrementAndGet();
                super.offer(task);
                return true;
            }
            if (pool.shortOfFreeThreads()) {
                return false; // its threads are blocked: the pool makes one
            }
            enqueue(task);
            return true;
        }

        void enqueue(Runnable task) {
            super.offer(task);
            pool.taskWaiting();
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

        /** A queued task was taken: one that was promised, or one queued unpromised. */
        private void taken() {
            if (!decrementIfPositive(promised)) {
                unpromised.decrementAndGet();
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
