package dev.backplane;

import java.util.function.LongConsumer;

/**
 * A backplane's counters and levels, read live: what a metrics library binds to (see the
 * {@code backplane-micrometer} module). Counters count from the backplane's start; levels are read
 * at the call. Reading allocates nothing, and nothing here costs the publish or delivery path an
 * allocation.
 */
public interface BackplaneMetrics {

    /** Which backplane these are: transport, prefix and broker, as events name it and metrics are tagged. */
    BackplaneEvent.Source source();

    /** Publishes the broker accepted. */
    long publishes();

    /** Publishes that failed, by cause. */
    long publishFailures(PublishFailure cause);

    /** Messages handed to subscribers, redeliveries included. */
    long deliveries();

    /** Deliveries handed over again because they were not acknowledged in time (at-least-once). */
    long redeliveries();

    /** Gaps reported to subscribers ({@link Subscriber#onGap}). */
    long gaps();

    /** Times the broker connection came back after it was lost. */
    long reconnects();

    /** Publishes waiting in the outbox (queued, or written and unanswered). */
    int outboxDepth();

    /** Bytes those publishes hold. */
    long outboxBytes();

    /** Messages received and not yet handed to their subscribers, over all subscriptions. */
    int subscriberBacklog();

    /** Deliveries handed over or queued and not yet acknowledged, over all subscriptions (at-least-once). */
    int unacknowledged();

    /** Whether the broker connection is up now. */
    boolean isConnected();

    /**
     * Calls {@code recorder} with the nanoseconds from each publish call to the broker's
     * acceptance, for publishes that succeeded. It runs on the thread that settles the publish
     * (a transport's thread): it must be quick and must not block, as a timer's {@code record} is.
     */
    Registration onPublishLatency(LongConsumer recorder);

    /** Metrics of a backplane that keeps none: every count 0, never connected. */
    BackplaneMetrics NONE = new BackplaneMetrics() {
        @Override
        public BackplaneEvent.Source source() {
            return new BackplaneEvent.Source("none", "", "");
        }

        @Override
        public long publishes() {
            return 0;
        }

        @Override
        public long publishFailures(PublishFailure cause) {
            return 0;
        }

        @Override
        public long deliveries() {
            return 0;
        }

        @Override
        public long redeliveries() {
            return 0;
        }

        @Override
        public long gaps() {
            return 0;
        }

        @Override
        public long reconnects() {
            return 0;
        }

        @Override
        public int outboxDepth() {
            return 0;
        }

        @Override
        public long outboxBytes() {
            return 0;
        }

        @Override
        public int subscriberBacklog() {
            return 0;
        }

        @Override
        public int unacknowledged() {
            return 0;
        }

        @Override
        public boolean isConnected() {
            return false;
        }

        @Override
        public Registration onPublishLatency(LongConsumer recorder) {
            return () -> { };
        }
    };
}
