package dev.backplane;

/** An active subscription to one channel. */
public interface Subscription extends AutoCloseable {

    /** The logical channel. */
    String channel();

    /**
     * Stops deliveries: no message published after this returns is delivered to the subscriber,
     * and unacknowledged deliveries are no longer redelivered. A call of the subscriber already
     * in progress may finish. Idempotent.
     */
    @Override
    void close();
}
