package dev.backplane.brokers;

import dev.backplane.fixture.LoopbackPorts;
import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a deployment's condition, for the fixtures that start several processes. */
final class Poll {

    private Poll() {
    }

    /**
     * Polls {@code check} (null when done, else what is missing; an exception counts as missing)
     * every 100 ms until {@code timeout}.
     *
     * @param deployment names the deployment's processes in the failure message
     * @throws IllegalStateException naming {@code what} and the last thing missing, once {@code timeout} passed
     */
    static void until(Duration timeout, String what, Supplier<String> check, Supplier<String> deployment) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String missing = "nothing asked yet";
        while (System.nanoTime() - deadline < 0) {
            try {
                missing = check.get();
                if (missing == null) {
                    return;
                }
            } catch (RuntimeException e) {
                missing = String.valueOf(e);
            }
            LoopbackPorts.sleep(100);
        }
        throw new IllegalStateException("waited " + timeout.toMillis() + " ms for " + what + "; last: " + missing
                + " (" + deployment.get() + ")");
    }
}
