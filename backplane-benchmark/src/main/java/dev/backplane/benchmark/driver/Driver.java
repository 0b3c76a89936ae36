package dev.backplane.benchmark.driver;

import java.util.List;

/**
 * One way of moving messages over one broker: a backplane ({@link BackplaneDriver}) or the
 * broker's own client used directly, the baseline. A driver lives for all the workloads of its
 * transport; publishers and subscribing nodes are made per point and closed after it.
 */
public interface Driver extends AutoCloseable {

    /** What it is, for the report: {@code "backplane redis://127.0.0.1:40123"}, {@code "raw Jedis PUBLISH/SUBSCRIBE, pipelined"}. */
    String description();

    /** A publishing client with a connection of its own. */
    Publisher publisher() throws Exception;

    /**
     * A subscribing client with a connection of its own, subscribed to every channel; returns
     * once every subscription is active (a message published after the return is delivered).
     * {@code sink} is called for every message, on the client's threads.
     */
    SubscribingNode subscribe(List<String> channels, MessageSink sink) throws Exception;

    /** Removes what the point left on the broker (stored messages), if the transport stores any. */
    default void cleanUp(List<String> channels) throws Exception {
    }

    @Override
    void close() throws Exception;

    /** Receives payloads. */
    @FunctionalInterface
    interface MessageSink {
        void accept(byte[] payload);
    }

    /** Sends payloads to channels. Used by one thread. */
    interface Publisher extends AutoCloseable {
        /** Sends one payload; may buffer it until {@link #flush}. A failure is counted, never thrown. */
        void send(String channel, byte[] payload);

        /** Pushes out what {@link #send} buffered; called before the sender waits. */
        default void flush() {
        }

        /** Sends that failed (refused at the call, or failed later by the broker or the client). */
        long failures();

        /** The last failure, for the report, or null. */
        String lastFailure();

        /**
         * Sends made whose confirmation (or failure) has not come yet: the window holds these too,
         * so that a publisher whose confirmations lag its deliveries is not driven past its
         * client's bounds. 0 for a client that confirms nothing.
         */
        default long unsettled() {
            return 0;
        }

        @Override
        void close() throws Exception;
    }

    /** A subscribing client. */
    @FunctionalInterface
    interface SubscribingNode extends AutoCloseable {
        /** Possible losses the client reported (a backplane's gaps, a NATS slow consumer's drops); none by default. */
        default long reportedGaps() {
            return 0;
        }

        @Override
        void close() throws Exception;
    }
}
