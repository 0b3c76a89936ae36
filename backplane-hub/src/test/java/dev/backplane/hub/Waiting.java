package dev.backplane.hub;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Bounded waits for the hub's own tests: nothing here waits longer than ten seconds. */
final class Waiting {

    private static final long SECONDS = 10;

    private Waiting() {
    }

    static <T> T join(CompletableFuture<T> f) throws Exception {
        return f.get(SECONDS, TimeUnit.SECONDS);
    }

    static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + SECONDS + " s: " + what);
            }
            Thread.sleep(10);
        }
    }
}
