package dev.backplane.spi;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Completes user-facing futures on the callback executor, never on the thread that learned the
 * outcome: a transport's I/O, completion or timer thread calls {@link #succeed} or {@link #fail}
 * and goes on at once, and whatever the caller chained on the future runs elsewhere, so it may
 * block or publish again without stalling the transport.
 *
 * <p>Completions are handed over in batches: one task on the executor completes every future
 * queued meanwhile. A future that has callbacks chained on it gets a task of its own, so one
 * callback that blocks delays no other future. Futures without callbacks (a caller that will
 * {@code join()} later, or nobody) cost no task at all beyond the batch.
 *
 * <p>If the executor refuses a task (it was shut down), the futures are completed on the calling
 * thread rather than left pending.
 */
public final class Completions {

    private static final System.Logger LOG = System.getLogger(Completions.class.getName());

    private final Executor executor;
    private final ConcurrentLinkedQueue<Completion> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private volatile boolean rejectionLogged;

    /** @param executor the callback executor */
    public Completions(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** The executor user code runs on. */
    public Executor executor() {
        return executor;
    }

    /** Completes {@code future} with {@code value} on the callback executor. */
    public <T> void succeed(CompletableFuture<T> future, T value) {
        queue.add(new Completion(future, value, null));
        schedule();
    }

    /** Fails {@code future} with {@code error} on the callback executor. */
    public void fail(CompletableFuture<?> future, Throwable error) {
        queue.add(new Completion(future, null, Objects.requireNonNull(error, "error")));
        schedule();
    }

    /** Completes {@code target} as {@code source} completes, on the callback executor. */
    public <T> void relay(CompletableFuture<? extends T> source, CompletableFuture<T> target) {
        source.whenComplete((value, error) -> {
            if (error != null) {
                fail(target, error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            } else {
                succeed(target, value);
            }
        });
    }

    /** Runs {@code task} on the callback executor (or here, if it refuses). */
    public void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            logRejection();
            task.run();
        }
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(drain);
            } catch (RejectedExecutionException e) {
                logRejection();
                drain();
            }
        }
    }

    private void drain() {
        while (true) {
            for (Completion c = queue.poll(); c != null; c = queue.poll()) {
                if (c.future.getNumberOfDependents() > 0) {
                    execute(c);
                } else {
                    c.run();
                }
            }
            scheduled.set(false);
            // A completion queued between the last poll and the reset would otherwise wait for the next one.
            if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private void logRejection() {
        if (!rejectionLogged) {
            rejectionLogged = true;
            LOG.log(System.Logger.Level.WARNING, "the callback executor refused a task (shut down?); futures are "
                    + "completed on the backplane's own thread instead");
        }
    }

    private record Completion(CompletableFuture<?> future, Object value, Throwable error) implements Runnable {
        @Override
        @SuppressWarnings("unchecked")
        public void run() {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                ((CompletableFuture<Object>) future).complete(value);
            }
        }
    }
}
