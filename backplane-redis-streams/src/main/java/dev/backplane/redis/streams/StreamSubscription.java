package dev.backplane.redis.streams;

import dev.backplane.BackplaneConfig;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.SubscriberDispatch;
import java.util.function.Consumer;
import redis.clients.jedis.StreamEntryID;

/**
 * One subscription: its own place in the channel's stream (the id of the last entry handed to it
 * or skipped) and its sequential, acknowledged deliveries on the callback executor. The place is
 * moved by the reader thread only, once the subscription is started.
 *
 * <p>Flow control is per subscription: while {@code maxUnacknowledged} of its deliveries are
 * unacknowledged it {@linkplain #hasCapacity() has no capacity}, and the reader reads nothing for
 * it (other subscriptions of the same stream read on); {@code onCapacity} tells the reader when
 * acknowledgements have made room.
 */
final class StreamSubscription implements Subscription {

    private final String key;
    private final SubscriberDispatch dispatch;
    private final Consumer<StreamSubscription> onClose;
    private volatile StreamEntryID cursor;
    // True until the first entries after a replay position were read: they get a gap check even
    // when the read was not a full batch.
    private volatile boolean replaying;
    // A first read that starts at or before this entry lost nothing not yet reported (a replay
    // from beyond the end reported its gap when it started); null otherwise.
    private volatile StreamEntryID reportedUpTo;

    /** @param onCapacity runs on the acknowledging thread when the subscription can take more; quick */
    StreamSubscription(String channel, String key, Subscriber subscriber, BackplaneConfig config, Runnable onCapacity,
            Consumer<StreamSubscription> onClose) {
        this.key = key;
        this.dispatch = SubscriberDispatch.atLeastOnce(channel, subscriber, config, onCapacity);
        this.onClose = onClose;
    }

    @Override
    public String channel() {
        return dispatch.channel();
    }

    String key() {
        return key;
    }

    /** Sets where reading starts, before the reader sees this subscription (or, after a data loss, on the reader). */
    void start(StreamEntryID after, boolean replay) {
        this.cursor = after;
        this.replaying = replay;
        this.reportedUpTo = null;
    }

    /**
     * Starts a replay of everything the stream retains after {@code gap} was reported for a
     * position beyond its end; {@code firstRetained} is the oldest entry it held then (or null).
     */
    void startBeyondTheEnd(Gap gap, StreamEntryID firstRetained) {
        dispatch.gap(gap);
        this.cursor = EntryIds.ZERO;
        this.replaying = true;
        this.reportedUpTo = firstRetained;
    }

    StreamEntryID cursor() {
        return cursor;
    }

    boolean replaying() {
        return replaying;
    }

    /** Whether a read whose first entry is {@code first} may have skipped entries not yet reported. */
    boolean mayHaveMissedBefore(StreamEntryID first) {
        StreamEntryID reported = reportedUpTo;
        return reported == null || first.compareTo(reported) > 0;
    }

    boolean isClosed() {
        return dispatch.isClosed();
    }

    /**
     * Whether another delivery may be made now. A false answer arranges for {@code onCapacity}
     * to run once acknowledgements have brought the unacknowledged deliveries down to half.
     */
    boolean hasCapacity() {
        return dispatch.hasCapacity();
    }

    /** Hands one entry to the subscriber (asynchronously) and moves the place past it. */
    void deliver(StreamEntryID id, byte[] payload) {
        cursor = id;
        replaying = false;
        reportedUpTo = null;
        dispatch.deliver(payload, EntryIds.position(id));
    }

    /** Moves the place past an entry that is not a message (not written by a backplane). */
    void skip(StreamEntryID id) {
        cursor = id;
    }

    /** Reports a gap, in order with the deliveries. */
    void gap(Gap gap) {
        dispatch.gap(gap);
    }

    @Override
    public void close() {
        if (dispatch.close()) {
            onClose.accept(this);
        }
    }
}
