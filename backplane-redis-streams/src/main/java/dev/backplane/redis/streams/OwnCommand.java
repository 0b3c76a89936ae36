package dev.backplane.redis.streams;

import dev.backplane.BrokerUnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import redis.clients.jedis.Pipeline;

/**
 * A command of the backplane's own on the command connection: the look-ups of a subscribe, a
 * wake-up of the reader, the clean-up at close. Each is a read or harmless to repeat, so after a
 * broken connection it is simply sent again.
 *
 * <p>Its future completes on the command thread (Redis answered) or on the scheduler (its
 * deadline passed). Only the backplane's own short steps are chained on it; a caller's future is
 * completed from it through {@code Completions}, on the callback executor.
 */
final class OwnCommand<T> {

    final String command;
    final String key;
    final CompletableFuture<T> future = new CompletableFuture<>();
    private final Function<Pipeline, Supplier<T>> send;
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile boolean sent;
    private volatile ScheduledFuture<?> deadline;

    /**
     * @param command what it is, for messages ({@code "XINFO STREAM"})
     * @param key the key it works on, for messages
     * @param send puts the command(s) on the pipeline and returns how to read the answer once the
     *     pipeline is synced; that reader throws what Jedis throws for an error reply
     */
    OwnCommand(String command, String key, Function<Pipeline, Supplier<T>> send) {
        this.command = command;
        this.key = key;
        this.send = send;
    }

    /** Keeps the scheduled expiry, to cancel it once the command is settled. */
    void deadline(ScheduledFuture<?> expiry) {
        this.deadline = expiry;
        if (settled.get()) {
            expiry.cancel(false);
        }
    }

    Supplier<T> sendOn(Pipeline pipeline) {
        sent = true;
        return send.apply(pipeline);
    }

    boolean isSettled() {
        return settled.get();
    }

    void succeed(T value) {
        if (settle()) {
            future.complete(value);
        }
    }

    void fail(Throwable error) {
        if (settle()) {
            future.completeExceptionally(error);
        }
    }

    /** Fails the command at its deadline, saying whether it ever reached Redis. */
    void expire(String address, long timeoutNanos, String connectFailure) {
        String timeout = TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (publishTimeout)";
        fail(new BrokerUnavailableException(sent
                ? "Redis at " + address + " did not answer " + command + " on '" + key + "' within " + timeout
                : "Redis at " + address + " could not be reached within " + timeout + connectFailure + "; " + command
                        + " on '" + key + "' was not sent"));
    }

    private boolean settle() {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        ScheduledFuture<?> expiry = deadline;
        if (expiry != null) {
            expiry.cancel(false);
        }
        return true;
    }
}
