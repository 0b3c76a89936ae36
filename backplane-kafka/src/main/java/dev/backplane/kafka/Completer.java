package dev.backplane.kafka;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Completes the futures the backplane hands to callers on a thread of its own, so that what a
 * caller chains on them never runs on (and never stalls) a Kafka client's I/O thread. Futures are
 * completed in the order of the calls. Once the executor is shut down, futures are completed on
 * the calling thread, so none is left pending.
 */
final class Completer {

    private final ExecutorService executor;

    Completer(ExecutorService executor) {
        this.executor = executor;
    }

    <T> void complete(CompletableFuture<T> future, T value) {
        run(() -> future.complete(value));
    }

    void fail(CompletableFuture<?> future, Throwable error) {
        run(() -> future.completeExceptionally(error));
    }

    /** Completes {@code future} as {@code outcome} completed. */
    <T> void relay(CompletableFuture<T> outcome, CompletableFuture<T> future) {
        outcome.whenComplete((value, error) -> {
            if (error != null) {
                fail(future, TopicAdmin.unwrap(error));
            } else {
                complete(future, value);
            }
        });
    }

    /** Lets queued completions run, then stops. */
    void shutdown() {
        executor.shutdown();
    }

    private void run(Runnable completion) {
        try {
            executor.execute(completion);
        } catch (RejectedExecutionException shutDown) {
            completion.run();
        }
    }
}
