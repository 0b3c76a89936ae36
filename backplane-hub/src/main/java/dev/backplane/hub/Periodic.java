package dev.backplane.hub;

/**
 * Periodic tasks that survive their own failures: a task scheduled at a fixed rate is never run
 * again once it throws, so a heartbeat or sweep that failed once would stop for good, silently.
 */
final class Periodic {

    private static final System.Logger LOG = System.getLogger(Periodic.class.getName());

    private Periodic() {
    }

    /** {@code task}, with whatever it throws logged instead of ending its schedule. */
    static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, what + " failed; it runs again at its next period", e);
            }
        };
    }
}
