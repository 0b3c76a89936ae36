package dev.backplane.benchmark.measure;

import java.util.concurrent.locks.LockSupport;

/** The clock and the pause the send loop uses; tests give it one they control. */
public interface Ticker {

    /** The current time in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Waits about {@code nanos}, or less. */
    void pause(long nanos);

    /** The system clock and {@link LockSupport#parkNanos}. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void pause(long nanos) {
            LockSupport.parkNanos(nanos);
        }
    };
}
