package dev.backplane;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a backplane that an operator wants to hear about: its broker
 * connection came, went or came back, a subscription may have lost messages, a publish failed, an
 * outbox or a subscriber's backlog filled up, a delivery was made again.
 *
 * <p>Listen with {@link Backplane#addListener} (one backplane) or
 * {@link BackplaneResources#addListener} (every backplane opened with those resources). Events are
 * raised where the thing happens and delivered on the callback executor, in the order they were
 * raised, never on a transport's I/O, completion or timer thread. Each event is a small record;
 * none is raised for a message that went well, so listening costs nothing on the publish and
 * delivery path.
 *
 * <p>Metrics and health are views of the same state: {@link Backplane#metrics()} counts these
 * events (and the publishes and deliveries that went well), {@link Backplane#health()} reads the
 * connection state and the fill of the outbox and backlogs.
 */
public sealed interface BackplaneEvent {

    /** The backplane the event is about. */
    Source source();

    /** When it happened. */
    Instant at();

    /**
     * Which backplane an event comes from: its transport, prefix and broker (the URI without
     * password or query), the same values metrics are tagged with.
     */
    record Source(String transport, String prefix, String broker) {
        public Source {
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(broker, "broker");
        }

        @Override
        public String toString() {
            return transport + " " + broker + " (prefix " + prefix + ")";
        }
    }

    /** The backplane reached its broker for the first time. */
    record Connected(Source source, Instant at) implements BackplaneEvent {
    }

    /**
     * The connection to the broker broke. Publishes wait in the outbox (each up to its
     * {@code publishTimeout}) and subscriptions are restored once the broker is back; at-most-once
     * subscriptions then report a gap.
     *
     * @param cause what the transport saw, for logs and people
     */
    record ConnectionLost(Source source, Instant at, String cause) implements BackplaneEvent {
    }

    /**
     * The connection is back after a {@link ConnectionLost}.
     *
     * @param downtime how long it was down, from the loss to now
     */
    record ConnectionRestored(Source source, Instant at, Duration downtime) implements BackplaneEvent {
    }

    /**
     * A subscription reported {@link Subscriber#onGap}: messages of {@code channel} may have been
     * lost for it.
     */
    record GapReported(Source source, Instant at, String channel, String reason) implements BackplaneEvent {
    }

    /**
     * A publish failed.
     *
     * @param cause why, in the few classes metrics count it by
     * @param message the message of the exception the publish future failed with
     */
    record PublishFailed(Source source, Instant at, String channel, PublishFailure cause, String message)
            implements BackplaneEvent {
    }

    /**
     * The outbox holds more than {@link #THRESHOLD} of its {@code maxPendingPublishes} or
     * {@code outboxBytes}: the broker is slow or gone, and publishes will soon be refused at the
     * call. Raised once per crossing; {@link OutboxDrained} follows once it is down to half the
     * threshold.
     */
    record OutboxFilling(Source source, Instant at, int pending, int maxPending, long bytes, long maxBytes)
            implements BackplaneEvent {
        /** The fill, from 0 to 1, above which the outbox counts as filling. */
        public static final double THRESHOLD = 0.8;
    }

    /** After {@link OutboxFilling}: the outbox is back under half the threshold. */
    record OutboxDrained(Source source, Instant at, int pending, int maxPending) implements BackplaneEvent {
    }

    /**
     * A subscription reached its bound: at-most-once, {@code maxSubscriberBacklog} messages wait
     * for it and the next ones are dropped (and reported as a gap); at-least-once,
     * {@code maxUnacknowledged} deliveries are unacknowledged and the transport stops reading for
     * it until acknowledgements make room. Raised once per stretch.
     *
     * @param limit the bound that was reached
     * @param option the option that sets it
     */
    record SubscriberBacklogFull(Source source, Instant at, String channel, int limit, String option)
            implements BackplaneEvent {
    }

    /** An unacknowledged delivery was handed to its subscriber again after {@code ackTimeout}. */
    record Redelivered(Source source, Instant at, String channel, Position position) implements BackplaneEvent {
    }
}
