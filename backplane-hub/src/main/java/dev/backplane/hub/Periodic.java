package dev.backplane.hub;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic tasks that survive their own failures: a task scheduled at a fixed rate is never run
 * again once it throws, so a heartbeat or sweep that failed once would stop for good, silently.
 */
final class Periodic {

    private static final Logger LOG = LoggerFactory.getLogger(Periodic.class);

    private Periodic() {
    }

    /** {@code task}, with whatever it throws logged instead of ending its schedule. */
    static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error(what + " failed; it runs again at its next period", e);
            }
        };
    }
}
