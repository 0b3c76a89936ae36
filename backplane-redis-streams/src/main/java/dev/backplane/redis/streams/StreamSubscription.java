package dev.backplane.redis.streams;

import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.Redeliveries;
import dev.backplane.spi.SerialExecutor;
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

    private static final System.Logger LOG = System.getLogger(StreamSubscription.class.getName());

    private final String channel;
    private final String key;
    private final Subscriber subscriber;
    private final SerialExecutor executor;
    private final Redeliveries redeliveries;
    private final Consumer<StreamSubscription> onClose;
    private volatile StreamEntryID cursor;
    // True until the first entries after a replay position were read: they get a gap check even
    // when the read was not a full batch.
    private volatile boolean replaying;
    private volatile boolean closed;

    StreamSubscription(String channel, String key, Subscriber subscriber, Executor pool,
            ScheduledExecutorService timer, Duration ackTimeout, Consumer<StreamSubscription> onClose) {
        this.channel = channel;
        this.key = key;
        this.subscriber = subscriber;
        this.executor = new SerialExecutor(pool);
        this.redeliveries = new Redeliveries(ackTimeout, timer, executor, this::handle);
        this.onClose = onClose;
    }

    @Override
    public String channel() {
        return channel;
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
        return closed;
    }

    /** Deliveries queued and not yet handed to the subscriber. */
    int backlog() {
        return executor.backlog();
    }

    /** Hands one entry to the subscriber (asynchronously) and moves the place past it. */
    void deliver(StreamEntryID id, byte[] payload) {
        cursor = id;
        replaying = false;
        redeliveries.deliver(channel, payload, EntryIds.position(id));
    }

    /** Reports a gap, in order with the deliveries. */
    void gap(Gap gap) {
        executor.execute(() -> {
            if (closed) {
                return;
            }
            try {
                subscriber.onGap(gap);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "subscriber of channel '" + channel + "' threw on a gap", e);
            }
        });
    }

    private void handle(Delivery delivery) {
        if (closed) {
            return;
        }
        try {
            subscriber.onMessage(delivery);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "subscriber of channel '" + channel
                    + "' threw; the delivery stays unacknowledged", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        redeliveries.close();
        onClose.accept(this);
    }
}
