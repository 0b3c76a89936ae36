package dev.backplane;

import java.util.AbstractQueue;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The callback pool's task queue: unbounded (the backplanes bound what they hand in), first in
 * first out, with {@link #offerFirst} for a task that goes back to the head.
 *
 * <p>Why not {@link java.util.concurrent.LinkedBlockingDeque}: it signals a parked taker on every
 * offer. When traffic is spread over many subscriptions, each subscription's serial hand-off is idle
 * between its messages, so every message becomes one task, and every task one system call to wake
 * a thread on the thread that reads from the broker. Here a taker that finds the queue empty first
 * <em>watches</em> it for {@value #WATCH_NANOS} ns before it parks, and an offer wakes a parked taker
 * only when nobody watches. At most one taker watches at a time, so idle threads cost one core for
 * a few microseconds after the last task, never more.
 *
 * <p>No wake-up is lost. Parked takers are kept in an exact list, and a taker is taken off it by
 * the offer that wakes it, so no two offers wake the same taker. Two orders settle every race:
 * <ul>
 *   <li>An offer adds the task, then reads {@code parked} and {@code watching}.</li>
 *   <li>A watcher stops watching ({@code watching} falls) before it parks; a taker about to park
 *       puts itself on the list ({@code parked} rises), then polls once more.</li>
 * </ul>
 * All four are volatile accesses, so either the offer sees the taker (and wakes one) or the taker's
 * last poll sees the task. A taker that took a task and still sees tasks waiting wakes one more, so
 * a burst spreads over the parked threads.
 */
class CallbackQueue extends AbstractQueue<Runnable> implements BlockingQueue<Runnable> {

    /** How long one idle taker watches the queue before it parks. */
    static final long WATCH_NANOS = 10_000;
    /** Watch iterations that only spin before the watcher starts yielding the core. */
    private static final int SPINS_BEFORE_YIELD = 64;

    private final ConcurrentLinkedDeque<Runnable> tasks = new ConcurrentLinkedDeque<>();
    private final AtomicBoolean watching = new AtomicBoolean();
    private final ReentrantLock waitersLock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** {@code waiters.size()}, readable without the lock; written under it. */
    private volatile int parked;

    /** A parked taker; {@code woken} is set, under the lock, by the offer that took it off the list. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        volatile boolean woken;
    }

    @Override
    public boolean offer(Runnable task) {
        tasks.offer(Objects.requireNonNull(task, "task"));
        wakeOneIfNoneWatches();
        return true;
    }

    /** Puts a task at the head of the queue: it is the next one taken. */
    public void offerFirst(Runnable task) {
        tasks.offerFirst(Objects.requireNonNull(task, "task"));
        wakeOneIfNoneWatches();
    }

    @Override
    public boolean offer(Runnable task, long timeout, TimeUnit unit) {
        return offer(task);
    }

    @Override
    public void put(Runnable task) {
        offer(task);
    }

    @Override
    public Runnable take() throws InterruptedException {
        return take(false, 0L);
    }

    @Override
    public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
        return take(true, System.nanoTime() + unit.toNanos(timeout));
    }

    @Override
    public Runnable poll() {
        return tasks.poll();
    }

    /** Takes the head of the queue, or {@code null} when it is empty. */
    public Runnable pollFirst() {
        return tasks.pollFirst();
    }

    @Override
    public Runnable peek() {
        return tasks.peek();
    }

    @Override
    public boolean isEmpty() {
        return tasks.isEmpty();
    }

    @Override
    public int size() {
        return tasks.size();
    }

    @Override
    public int remainingCapacity() {
        return Integer.MAX_VALUE;
    }

    @Override
    public boolean remove(Object task) {
        return tasks.remove(task);
    }

    @Override
    public boolean contains(Object task) {
        return tasks.contains(task);
    }

    @Override
    public Iterator<Runnable> iterator() {
        return tasks.iterator();
    }

    @Override
    public int drainTo(Collection<? super Runnable> to) {
        return drainTo(to, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super Runnable> to, int maxElements) {
        if (to == this) {
            throw new IllegalArgumentException("a queue cannot drain to itself");
        }
        int n = 0;
        for (Runnable task; n < maxElements && (task = tasks.poll()) != null; n++) {
            to.add(task);
        }
        return n;
    }

    private Runnable take(boolean timed, long deadline) throws InterruptedException {
        for (;;) {
            Runnable task = tasks.poll();
            if (task == null && watching.compareAndSet(false, true)) {
                try {
                    task = watch(timed, deadline);
                } finally {
                    watching.set(false);
                }
            }
            if (task == null) {
                task = park(timed, deadline);
            }
            if (task != null) {
                if (!tasks.isEmpty()) {
                    wakeOneIfNoneWatches();
                }
                return task;
            }
            if (timed && deadline - System.nanoTime() <= 0) {
                return null;
            }
        }
    }

    private Runnable watch(boolean timed, long deadline) {
        long end = System.nanoTime() + WATCH_NANOS;
        if (timed && deadline - end < 0) {
            end = deadline;
        }
        for (int i = 0; ; i++) {
            Runnable task = tasks.poll();
            if (task != null || System.nanoTime() - end >= 0 || Thread.currentThread().isInterrupted()) {
                return task;
            }
            if (i < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /**
     * Parks until an offer wakes this thread, the deadline passes or the thread is interrupted.
     * Returns a task found on the last poll before parking (or after a wake-up that came as the
     * time ran out), or {@code null} to look again.
     */
    private Runnable park(boolean timed, long deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Waiter me = new Waiter();
        enlist(me);
        Runnable task = tasks.poll(); // after enlisting: an offer that came before it is seen here
        if (task != null) {
            if (!delist(me)) {
                wakeOneIfNoneWatches(); // woken for a task this poll took: the wake-up goes to another
            }
            return task;
        }
        while (!me.woken) {
            long left = timed ? deadline - System.nanoTime() : Long.MAX_VALUE;
            if (left <= 0) {
                if (delist(me)) {
                    return null;
                }
                // Woken as the time ran out: the task it was woken for is taken here, or else was
                // taken by another thread. Returning null without this poll would leave it queued
                // with its wake-up spent.
                return tasks.poll();
            }
            if (timed) {
                LockSupport.parkNanos(this, left);
            } else {
                LockSupport.park(this);
            }
            if (Thread.interrupted()) {
                if (!delist(me) && !tasks.isEmpty()) {
                    wakeOneIfNoneWatches(); // the wake-up meant for this thread goes on to another
                }
                throw new InterruptedException();
            }
        }
        return null;
    }

    private void enlist(Waiter w) {
        waitersLock.lock();
        try {
            waiters.addLast(w);
            parked = waiters.size();
        } finally {
            waitersLock.unlock();
        }
    }

    /** Takes a waiter off the list; {@code false} if an offer took it off already (it was woken). */
    private boolean delist(Waiter w) {
        waitersLock.lock();
        try {
            boolean listed = waiters.remove(w);
            parked = waiters.size();
            return listed;
        } finally {
            waitersLock.unlock();
        }
    }

    private void wakeOneIfNoneWatches() {
        if (parked == 0 || watching.get()) {
            return;
        }
        Waiter w;
        waitersLock.lock();
        try {
            w = waiters.pollLast(); // the thread parked last: its cache is warm, and the oldest may time out
            parked = waiters.size();
            if (w != null) {
                w.woken = true;
            }
        } finally {
            waitersLock.unlock();
        }
        if (w != null) {
            LockSupport.unpark(w.thread);
        }
    }
}
