package dev.backplane.redis;

import java.time.Duration;

/**
 * Waits between reconnect attempts: {@link #MIN} after the first failure, doubling up to
 * {@link #MAX}, so a restarted broker is found again within {@code MAX} without hammering a dead
 * one. Not thread-safe: one per connection-owning thread.
 */
final class Backoff {

    static final Duration MIN = Duration.ofMillis(50);
    static final Duration MAX = Duration.ofSeconds(1);

    private long nextMillis = MIN.toMillis();

    /** The wait before the next attempt; each call doubles the following one, up to {@link #MAX}. */
    long nextMillis() {
        long current = nextMillis;
        nextMillis = Math.min(MAX.toMillis(), nextMillis * 2);
        return current;
    }

    /** After a successful connect: the next failure waits {@link #MIN} again. */
    void reset() {
        nextMillis = MIN.toMillis();
    }
}
