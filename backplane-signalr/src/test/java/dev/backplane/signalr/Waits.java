package dev.backplane.signalr;

import java.util.function.BooleanSupplier;

/** Bounded waits on conditions, never on sleeps alone. */
final class Waits {

    private Waits() {
    }

    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TwoNodes.waitLimit().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TwoNodes.waitLimit() + " waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
