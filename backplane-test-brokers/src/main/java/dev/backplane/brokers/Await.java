package dev.backplane.brokers;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits in a test for a condition to hold, polling, instead of sleeping a fixed time. */
public final class Await {

    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    /**
     * Returns as soon as {@code condition} holds, polling every 20 ms.
     *
     * @param what the condition in words, for the failure message
     * @throws AssertionError naming {@code what} if it does not hold within {@code timeout}
     */
    public static void until(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited " + timeout.toMillis() + " ms for " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
