package dev.backplane.nats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A value read from the server on demand and shared by everyone who asks, without a thread
 * waiting for it. A caller asks for a reading taken <em>after</em> a moment of its own (when it
 * received a message, say): a reading whose request was sent later reflects everything the server
 * did before that moment. One request is in flight at a time; callers that ask meanwhile for a
 * moment after it was sent get the next one, sent as soon as it comes back, so a burst of questions
 * costs about two requests, and no caller waits for more than about two answers.
 *
 * <p>A request that fails (no answer, the connection is down) is sent again after a growing pause,
 * up to a second: callers wait for a real answer rather than getting a guess.
 *
 * @param <T> what is read
 */
final class FreshReading<T> {

    private static final long FIRST_RETRY_MILLIS = 50;
    private static final long LONGEST_RETRY_MILLIS = 1000;

    private final Supplier<CompletableFuture<T>> read;
    private final ScheduledExecutorService scheduler;
    private final Executor io;
    private final List<Waiter<T>> waiting = new ArrayList<>(); // guarded by this
    private T latest; // guarded by this
    private long latestSentAt; // guarded by this
    private boolean hasLatest; // guarded by this
    private boolean inFlight; // guarded by this
    private long retryMillis = FIRST_RETRY_MILLIS; // guarded by this
    private volatile boolean closed;

    /**
     * @param read sends one request; its future completes with the answer or fails
     * @param scheduler times the pause before a retry
     * @param io sends the retry
     */
    FreshReading(Supplier<CompletableFuture<T>> read, ScheduledExecutorService scheduler, Executor io) {
        this.read = read;
        this.scheduler = scheduler;
        this.io = io;
    }

    /** A reading whose request was sent after {@code momentNanos} ({@link System#nanoTime()}). */
    CompletableFuture<T> after(long momentNanos) {
        CompletableFuture<T> result;
        synchronized (this) {
            if (hasLatest && latestSentAt - momentNanos > 0) {
                return CompletableFuture.completedFuture(latest);
            }
            result = new CompletableFuture<>();
            waiting.add(new Waiter<>(momentNanos, result));
            if (inFlight) {
                return result; // answered by it if it was sent after the moment, else by the next
            }
            inFlight = true;
        }
        send();
        return result;
    }

    /** Takes {@code value}, read by a request sent at {@code sentAt}, as the latest reading. */
    synchronized void seed(T value, long sentAt) {
        if (!hasLatest || sentAt - latestSentAt > 0) {
            latest = value;
            latestSentAt = sentAt;
            hasLatest = true;
        }
    }

    /** The latest reading, or null before the first. */
    synchronized T latest() {
        return latest;
    }

    /** Stops retrying; waiting callers are left to their own deadlines. */
    void close() {
        closed = true;
    }

    private void send() {
        long sentAt = System.nanoTime();
        CompletableFuture<T> answer;
        try {
            answer = read.get();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((value, error) -> answered(sentAt, value, error));
    }

    private void answered(long sentAt, T value, Throwable error) {
        List<Waiter<T>> served = new ArrayList<>();
        boolean again;
        synchronized (this) {
            if (error == null) {
                latest = value;
                latestSentAt = sentAt;
                hasLatest = true;
                retryMillis = FIRST_RETRY_MILLIS;
                waiting.removeIf(w -> {
                    if (sentAt - w.moment > 0) {
                        served.add(w);
                        return true;
                    }
                    return false;
                });
            }
            again = !waiting.isEmpty() && !closed;
            inFlight = again;
        }
        served.forEach(w -> w.future.complete(value));
        if (!again) {
            return;
        }
        if (error == null) {
            send();
        } else {
            retryLater();
        }
    }

    private void retryLater() {
        long pause;
        synchronized (this) {
            pause = retryMillis;
            retryMillis = Math.min(LONGEST_RETRY_MILLIS, retryMillis * 2);
        }
        if (!LaterOnIo.run(scheduler, io, pause, TimeUnit.MILLISECONDS, this::send)) {
            synchronized (this) {
                inFlight = false;
            }
        }
    }

    private record Waiter<T>(long moment, CompletableFuture<T> future) {
    }
}
