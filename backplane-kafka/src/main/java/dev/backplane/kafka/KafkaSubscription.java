package dev.backplane.kafka;

import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.SubscriberDispatch;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * One subscription: its channel, the partition that holds it, the next offset it is owed, and its
 * own sequential delivery with at-least-once redelivery.
 *
 * <p>Several subscriptions share the backplane's one consumer, which reads each partition from
 * the lowest offset any of them is owed. Each subscription takes only the records of its channel
 * at or after its own next offset, so a subscription that replays from an old offset and one that
 * started live read the same partition without seeing each other's records twice.
 */
final class KafkaSubscription implements Subscription {

    private final TopicPartition partition;
    private final SubscriberDispatch dispatch;
    private final Consumer<KafkaSubscription> onClose;
    // The next offset of the partition this subscription is owed; read and written by the poll thread only.
    private long next;

    KafkaSubscription(String channel, TopicPartition partition, Subscriber subscriber, Executor pool,
            ScheduledExecutorService timer, Duration ackTimeout, Consumer<KafkaSubscription> onClose) {
        this.partition = partition;
        this.dispatch = SubscriberDispatch.atLeastOnce(channel, subscriber, pool, timer, ackTimeout, Integer.MAX_VALUE,
                () -> { }, () -> true, () -> { });
        this.onClose = onClose;
    }

    @Override
    public String channel() {
        return dispatch.channel();
    }

    TopicPartition partition() {
        return partition;
    }

    long next() {
        return next;
    }

    /** Where this subscription starts reading. Poll thread only. */
    void startAt(long offset) {
        next = offset;
    }

    /** A record of this subscription's channel at {@code offset}; delivered if the subscription is owed it. Poll thread only. */
    void offer(long offset, byte[] payload) {
        if (offset < next || dispatch.isClosed()) {
            return;
        }
        next = offset + 1;
        dispatch.deliver(payload, KafkaBackplane.position(offset));
    }

    /** Reports a gap ahead of every delivery queued after this call. */
    void gap(Gap gap) {
        dispatch.gap(gap);
    }

    /** Deliveries queued and not yet handed to the subscriber. */
    int backlog() {
        return dispatch.backlog();
    }

    @Override
    public void close() {
        if (dispatch.close()) {
            onClose.accept(this);
        }
    }
}
