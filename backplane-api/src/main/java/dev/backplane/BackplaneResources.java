package dev.backplane;

import dev.backplane.spi.EventDispatcher;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the backplanes of one application share: the executor that runs user code and the
 * scheduler that keeps deadlines. Every backplane opened with the same resources borrows them;
 * none starts threads of its own for these jobs.
 *
 * <h2>The callback-thread rule</h2>
 * Every future a backplane returns ({@link Backplane#publish}, {@link Backplane#subscribe}) is
 * completed on the {@linkplain #callbackExecutor() callback executor}, and every
 * {@link Subscriber} call runs there too. It is never a transport's I/O, completion or timer
 * thread, so a callback may block, or publish and wait for that publish, without stalling the
 * backplane. Callbacks of different futures and different subscriptions may run concurrently;
 * the calls of one subscription never overlap. A future that is already complete when it is
 * returned runs what is chained on it on the thread that chains it, as for any
 * {@code CompletableFuture}.
 *
 * <p>The {@linkplain #scheduler() scheduler} only schedules: publish deadlines, redelivery
 * sweeps, reconnect waits. It never runs user code.
 *
 * <h2>Defaults</h2>
 * {@link #defaults()} is shared by every backplane opened without resources of its own: a pool of
 * daemon threads named {@code backplane-callback-N}, {@code max(4, 2 x cores)} of them kept, that
 * takes tasks in submission order and adds a thread (up to {@value #MAX_CALLBACK_THREADS}) each
 * time tasks have waited 10 ms with no thread starting one, so that a callback that blocks, on
 * another backplane future or on a database, holds only its own thread, while a steady stream of
 * short callbacks on a busy machine does not make threads that would only add context switches;
 * threads beyond the kept ones end after a minute idle. A thread that runs out of tasks watches
 * the queue for 10 microseconds before it parks (one thread at a time), so a steady stream of
 * tasks does not cost a thread wake-up per task. Plus one daemon scheduler thread. A
 * {@linkplain Builder#callbackExecutor(Executor) callback executor} of your own replaces the pool.
 *
 * <h2>Events</h2>
 * {@link #addListener} hears the {@link BackplaneEvent}s of every backplane opened with these
 * resources (each event names its {@linkplain BackplaneEvent#source() source}), as Lettuce's
 * event bus does for its clients; {@link Backplane#addListener} hears one backplane's.
 *
 * <p>Queues: the callback executor holds at most what the backplanes let in, which is bounded by
 * each transport's outbox (publish futures) and by {@code maxUnacknowledged} per subscription
 * (deliveries).
 */
public final class BackplaneResources implements AutoCloseable {

    /** The most threads the default callback pool grows to while callbacks block. */
    public static final int MAX_CALLBACK_THREADS = 256;

    private final Executor callbackExecutor;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsCallbackExecutor;
    private final boolean ownsScheduler;
    private final boolean shared;
    private final EventDispatcher<BackplaneEvent> events;

    private BackplaneResources(Executor callbackExecutor, boolean ownsCallbackExecutor,
            ScheduledExecutorService scheduler, boolean ownsScheduler, boolean shared) {
        this.callbackExecutor = callbackExecutor;
        this.events = new EventDispatcher<>(callbackExecutor);
        this.ownsCallbackExecutor = ownsCallbackExecutor;
        this.scheduler = scheduler;
        this.ownsScheduler = ownsScheduler;
        this.shared = shared;
    }

    /** The resources shared by every backplane opened without resources of its own; never closed. */
    public static BackplaneResources defaults() {
        return Defaults.INSTANCE;
    }

    /** Starts building resources; what is not set is created for them and shut down by {@link #close()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where user futures complete and subscribers are called. */
    public Executor callbackExecutor() {
        return callbackExecutor;
    }

    /** Where deadlines and periodic sweeps are scheduled; never runs user code. */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /**
     * Makes {@code listener} hear the events of every backplane that uses these resources, from
     * now on, on the callback executor, in order (see {@link BackplaneListener}).
     */
    public Registration addListener(BackplaneListener listener) {
        Objects.requireNonNull(listener, "listener");
        return events.add(listener::onEvent);
    }

    /** Where backplanes raise their events, for transports (through {@code spi.BackplaneMonitor}). */
    public EventDispatcher<BackplaneEvent> events() {
        return events;
    }

    /**
     * Shuts down the executor and scheduler these resources created (not those given to the
     * builder). Close the backplanes that use them first. The {@link #defaults()} ignore this.
     */
    @Override
    public void close() {
        if (shared) {
            return;
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
        if (ownsCallbackExecutor && callbackExecutor instanceof ExecutorService service) {
            service.shutdown();
        }
    }

    @Override
    public String toString() {
        return shared ? "BackplaneResources[defaults]" : "BackplaneResources[" + callbackExecutor + "]";
    }

    /** Builds {@link BackplaneResources}. */
    public static final class Builder {
        private Executor callbackExecutor;
        private ScheduledExecutorService scheduler;
        private String threadPrefix = "backplane";

        private Builder() {
        }

        /**
         * Runs user futures and subscribers on {@code executor}. It must run every task it accepts
         * (a rejected task is run on the thread that offered it, which may be an I/O thread).
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Schedules deadlines and sweeps on {@code scheduler}; tasks on it are short and never user code. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** The start of the names of the threads these resources create (default {@code backplane}). */
        public Builder threadNamePrefix(String prefix) {
            this.threadPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        public BackplaneResources build() {
            boolean ownsCallback = callbackExecutor == null;
            boolean ownsScheduler = scheduler == null;
            return new BackplaneResources(ownsCallback ? newCallbackPool(threadPrefix) : callbackExecutor,
                    ownsCallback, ownsScheduler ? newScheduler(threadPrefix) : scheduler, ownsScheduler, false);
        }
    }

    private static final class Defaults {
        static final BackplaneResources INSTANCE = new BackplaneResources(newCallbackPool("backplane"), true,
                newScheduler("backplane"), true, true);
    }

    static ExecutorService newCallbackPool(String prefix) {
        return CallbackPool.create(prefix, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
                MAX_CALLBACK_THREADS);
    }

    static ScheduledExecutorService newScheduler(String prefix) {
        AtomicInteger count = new AtomicInteger();
        // As the callback pool's: the scheduler outlives whichever caller first needed a thread of it.
        ThreadGroup group = new ThreadGroup(CallbackPool.rootGroup(), prefix + "-scheduler");
        ThreadFactory factory = r -> {
            Thread t = new Thread(group, r, prefix + "-scheduler-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, factory);
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }
}
