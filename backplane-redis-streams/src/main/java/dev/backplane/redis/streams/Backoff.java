package dev.backplane.redis.streams;

/** Growing pauses between reconnect attempts: 25 ms doubling up to 1 s; not thread-safe. */
final class Backoff {

    private static final long FIRST_MILLIS = 25;
    private static final long LONGEST_MILLIS = 1000;

    private long last;

    /** The next pause, in milliseconds. */
    long next() {
        last = last == 0 ? FIRST_MILLIS : Math.min(LONGEST_MILLIS, last * 2);
        return last;
    }

    /** Starts over after a success. */
    void reset() {
        last = 0;
    }

    /** Sleeps {@code millis}; returns false if interrupted (the interrupt flag is kept). */
    static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
