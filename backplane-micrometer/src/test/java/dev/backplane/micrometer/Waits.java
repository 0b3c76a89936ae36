package dev.backplane.micrometer;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waits on conditions, for this module's tests. */
final class Waits {

    private Waits() {
    }

    /** Waits until {@code condition} holds, checking every 10 ms; returns how long it took. */
    static Duration until(BooleanSupplier condition, Duration within, String what) {
        long start = System.nanoTime();
        long deadline = start + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
