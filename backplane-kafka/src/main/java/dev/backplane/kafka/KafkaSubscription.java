package dev.backplane.kafka;

import dev.backplane.BackplaneConfig;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.SubscriberDispatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * One subscription: its channel, the partition that holds it, the next offset it is owed, and its
 * own sequential delivery with at-least-once redelivery and flow control.
 *
 * <p>Several subscriptions share the backplane's one consumer, which reads each partition from
 * the lowest offset one of them is owed. Each subscription takes only the records of its channel
 * at or after its own next offset, so a subscription that replays from an old offset and one that
 * started live read the same partition without seeing each other's records twice. One that holds
 * {@code maxUnacknowledged} deliveries stops taking records (it is <em>waiting</em>) and keeps its
 * next offset; when acknowledgements give it room, {@code onCapacity} asks the receiver to read
 * its partition from there again.
 */
final class KafkaSubscription implements Subscription {

    private static final System.Logger LOG = System.getLogger(KafkaSubscription.class.getName());

    private final TopicPartition partition;
    private final SubscriberDispatch dispatch;
    private final Consumer<KafkaSubscription> onClose;
    // Poll thread only: the next offset of the partition this subscription is owed, and whether it
    // is out of room for more deliveries.
    private long next;
    private boolean waiting;
    private boolean rejectionLogged;

    /**
     * @param onCapacity runs on the acknowledging thread when a waiting subscription has room again
     * @param onClose runs once, on the thread that closes
     */
    KafkaSubscription(String channel, TopicPartition partition, Subscriber subscriber, BackplaneConfig config,
            Consumer<KafkaSubscription> onCapacity, Consumer<KafkaSubscription> onClose) {
        this.partition = partition;
        this.dispatch = SubscriberDispatch.atLeastOnce(channel, subscriber, config, () -> onCapacity.accept(this));
        this.onClose = onClose;
    }

    @Override
    public String channel() {
        return dispatch.channel();
    }

    TopicPartition partition() {
        return partition;
    }

    /** The next offset this subscription is owed. Poll thread only. */
    long next() {
        return next;
    }

    /** Where this subscription starts (or goes on) reading. Poll thread only. */
    void startAt(long offset) {
        next = offset;
    }

    /** Whether it is out of room and skips records until it has some again. Poll thread only. */
    boolean isWaiting() {
        return waiting && !dispatch.isClosed();
    }

    /** It has room again; false if it was not waiting. Poll thread only. */
    boolean stopWaiting() {
        boolean was = waiting;
        waiting = false;
        return was;
    }

    /**
     * A record of this subscription's channel at {@code offset}: delivered if the subscription is
     * owed it and has room; without room, the subscription starts waiting at that offset. Poll thread only.
     */
    void offer(long offset, byte[] payload) {
        if (waiting || offset < next || dispatch.isClosed()) {
            return;
        }
        if (!dispatch.hasCapacity()) {
            waiting = true;
            next = offset;
            return;
        }
        next = offset + 1;
        try {
            dispatch.deliver(payload, KafkaBackplane.position(offset));
        } catch (RejectedExecutionException e) {
            // The delivery stays queued and goes with the next one the executor takes.
            if (!rejectionLogged) {
                rejectionLogged = true;
                LOG.log(System.Logger.Level.WARNING, "the callback executor refused a delivery of channel '"
                        + channel() + "' (shut down?); deliveries wait until it takes them", e);
            }
        }
    }

    /** Reports a gap ahead of every delivery queued after this call. */
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
