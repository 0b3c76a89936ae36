package dev.backplane.redis.streams;

import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.SubscriberDispatch;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import redis.clients.jedis.StreamEntryID;

/**
 * One subscription: its place in the channel's stream (the id of the last entry handed to it) and
 * its sequential, acknowledged deliveries. The place is advanced only by the reader thread.
 */
final class StreamSubscription implements Subscription {

    private final String key;
    private final SubscriberDispatch dispatch;
    private final Consumer<StreamSubscription> onClose;
    private volatile StreamEntryID cursor;
    // True until the first entries after a replay position were read: they get a gap check even
    // when the read was not a full batch.
    private volatile boolean replaying;

    StreamSubscription(String channel, String key, Subscriber subscriber, Executor pool,
            ScheduledExecutorService timer, Duration ackTimeout, Consumer<StreamSubscription> onClose) {
        this.key = key;
        this.dispatch = SubscriberDispatch.atLeastOnce(channel, subscriber, pool, timer, ackTimeout, Integer.MAX_VALUE,
                () -> { }, () -> true, () -> { });
        this.onClose = onClose;
    }

    @Override
    public String channel() {
        return dispatch.channel();
    }

    String key() {
        return key;
    }

    /** Sets where reading starts, before the reader sees this subscription. */
    void start(StreamEntryID after, boolean replay) {
        this.cursor = after;
        this.replaying = replay;
    }

    StreamEntryID cursor() {
        return cursor;
    }

    boolean replaying() {
        return replaying;
    }

    boolean isClosed() {
        return dispatch.isClosed();
    }

    /** Deliveries queued and not yet handed to the subscriber. */
    int backlog() {
        return dispatch.backlog();
    }

    /** Hands one entry to the subscriber (asynchronously) and moves the place past it. */
    void deliver(StreamEntryID id, byte[] payload) {
        cursor = id;
        replaying = false;
        dispatch.deliver(payload, EntryIds.position(id));
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
