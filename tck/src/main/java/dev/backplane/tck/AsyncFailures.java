package dev.backplane.tck;

import java.util.ArrayList;
import java.util.List;

/**
 * Failures seen on threads the kit does not own (delivery callbacks), reported by the test that
 * caused them instead of vanishing into a log.
 */
public final class AsyncFailures {

    private final List<Throwable> failures = new ArrayList<>();

    /** Records a failure seen on another thread. */
    public synchronized void add(Throwable failure) {
        failures.add(failure);
    }

    /** Runs {@code check}, recording what it throws. */
    public void capture(Runnable check) {
        try {
            check.run();
        } catch (Throwable t) {
            add(t);
        }
    }

    /** Throws the first recorded failure, with the others suppressed. */
    public synchronized void rethrow() {
        if (failures.isEmpty()) {
            return;
        }
        AssertionError error = new AssertionError(failures.size() + " failure(s) on delivery threads; first: "
                + failures.get(0), failures.get(0));
        failures.stream().skip(1).forEach(error::addSuppressed);
        failures.clear();
        throw error;
    }
}
