package dev.backplane.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Growing waits between reconnect attempts: about {@code first} after the first failure, doubling
 * up to {@code longest}, so that a restarted broker is found again within about {@code longest}
 * without hammering one that is down. Each wait is jittered ("equal jitter": a random point in the
 * upper half of the step), so that a fleet of instances that lost the broker at the same moment
 * does not reconnect in lock step. Not thread-safe: one per thread that owns a connection.
 */
public final class Backoff {

    private final long firstMillis;
    private final long longestMillis;
    private final LongUnaryOperator jitter;
    private long nextMillis;

    /**
     * @param first the wait after the first failure, at least one millisecond
     * @param longest the longest wait, not shorter than {@code first}
     * @throws IllegalArgumentException if {@code first} is under a millisecond or {@code longest} is shorter
     */
    public Backoff(Duration first, Duration longest) {
        this(first, longest, step -> step - ThreadLocalRandom.current().nextLong(step / 2 + 1));
    }

    /**
     * As {@link #Backoff(Duration, Duration)}, with the jitter given: {@code jitter} turns a step
     * (first, doubling up to longest) into the wait actually taken. For tests.
     */
    Backoff(Duration first, Duration longest, LongUnaryOperator jitter) {
        this.jitter = Objects.requireNonNull(jitter, "jitter");
        this.firstMillis = Objects.requireNonNull(first, "first").toMillis();
        this.longestMillis = Objects.requireNonNull(longest, "longest").toMillis();
        if (firstMillis < 1 || longestMillis < firstMillis) {
            throw new IllegalArgumentException("backoff needs 1 ms <= first <= longest, got first " + first
                    + " and longest " + longest);
        }
        this.nextMillis = firstMillis;
    }

    /**
     * The wait before the next attempt, in milliseconds: a random value in the upper half of the
     * current step; each call doubles the step, up to the longest.
     */
    public long nextMillis() {
        long current = nextMillis;
        nextMillis = Math.min(longestMillis, nextMillis * 2);
        return Math.max(1, jitter.applyAsLong(current));
    }

    /** After a successful connect: the next failure waits the first wait again. */
    public void reset() {
        nextMillis = firstMillis;
    }

    /**
     * Sleeps the {@linkplain #nextMillis() next wait}.
     *
     * @return false if the thread was interrupted, whose interrupt flag is then set again
     */
    public boolean pause() {
        try {
            Thread.sleep(nextMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
