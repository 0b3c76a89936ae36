package dev.backplane.spi;

/**
 * A source of monotonic nanoseconds, like {@link System#nanoTime()}. Parts that keep deadlines
 * take one, so that their tests advance time instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {

    /** The system's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; only differences mean something. */
    long nanoTime();
}
