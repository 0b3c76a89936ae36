package dev.backplane.tck;

/**
 * The kit's hold on the broker behind the backplane under test, for the outage rules. Both calls
 * return only when done: after {@link #stop()} the broker refuses connections, after
 * {@link #start()} it accepts them again on the same address, with what it had persisted.
 */
public interface BrokerControl {

    /** Takes the broker down. Throw {@link UnsupportedOperationException} if it cannot be stopped. */
    void stop();

    /** Brings the broker back on the same address. */
    void start();

    /** A control from two actions, e.g. {@code BrokerControl.of(broker::stop, broker::start)}. */
    static BrokerControl of(Runnable stop, Runnable start) {
        return new BrokerControl() {
            @Override
            public void stop() {
                stop.run();
            }

            @Override
            public void start() {
                start.run();
            }
        };
    }
}
