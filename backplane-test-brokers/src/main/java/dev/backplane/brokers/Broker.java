package dev.backplane.brokers;

import dev.backplane.fixture.BrokerFixture;

/**
 * A broker for tests, with the address clients should use and, where the test owns it, control
 * over its life: {@link #stop()} takes it down (clients see refused connections) and
 * {@link #start()} brings it back on the same address.
 */
public interface Broker extends BrokerFixture {

    /** Whether this fixture started the broker and so may stop it. A broker given by the environment is never stopped. */
    boolean controllable();

    /**
     * Takes the broker down; returns once it no longer accepts connections.
     *
     * @throws UnsupportedOperationException if the broker is not {@linkplain #controllable() ours}
     */
    @Override
    void stop();

    /**
     * Brings the broker back on the same address; returns once it accepts connections.
     *
     * @throws UnsupportedOperationException if the broker is not {@linkplain #controllable() ours}
     */
    @Override
    void start();

    /**
     * Kills the broker without a clean shutdown (SIGKILL for a process), as a crash; returns once it
     * no longer accepts connections. {@link #start()} brings it back on the same address and data.
     * The default is {@link #stop()}, for brokers that cannot be killed harder than that.
     *
     * @throws UnsupportedOperationException if the broker is not {@linkplain #controllable() ours}
     */
    default void kill() {
        stop();
    }

    /**
     * Pauses the broker (SIGSTOP for a process), as a hang rather than a crash: it keeps its sockets
     * open and answers nothing until {@link #resume()}.
     *
     * @throws UnsupportedOperationException if this broker cannot be paused (not ours, or not a process)
     */
    default void pause() {
        throw new UnsupportedOperationException(description() + " cannot be paused");
    }

    /**
     * Resumes a broker {@linkplain #pause() paused}.
     *
     * @throws UnsupportedOperationException if this broker cannot be paused
     */
    default void resume() {
        throw new UnsupportedOperationException(description() + " cannot be paused");
    }

    /** Stops the broker if this fixture started it and deletes what it wrote. Never stops a broker it did not start. */
    @Override
    void close();
}
