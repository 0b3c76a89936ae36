package dev.backplane;

/** A listener's registration; {@link #close()} removes the listener. Idempotent. */
@FunctionalInterface
public interface Registration extends AutoCloseable {

    /** Removes the listener: it hears no event raised after this returns. */
    @Override
    void close();
}
