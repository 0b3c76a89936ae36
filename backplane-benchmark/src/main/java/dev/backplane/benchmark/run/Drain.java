package dev.backplane.benchmark.run;

import java.util.function.LongSupplier;

/** Waits after a run's sending until everything owed has arrived, or nothing has for a while. */
final class Drain {

    static final long QUIET_NANOS = 2_000_000_000L;
    static final long LIMIT_NANOS = 30_000_000_000L;

    private Drain() {
    }

    /** Returns once {@code delivered} reaches {@code expected}, or stopped growing for {@link #QUIET_NANOS}. */
    static void await(LongSupplier delivered, long expected) throws InterruptedException {
        long start = System.nanoTime();
        long last = -1;
        long lastProgress = start;
        while (true) {
            long now = delivered.getAsLong();
            if (now >= expected) {
                return;
            }
            long t = System.nanoTime();
            if (now != last) {
                last = now;
                lastProgress = t;
            } else if (t - lastProgress > QUIET_NANOS || t - start > LIMIT_NANOS) {
                return;
            }
            Thread.sleep(1);
        }
    }
}
