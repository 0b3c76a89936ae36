package dev.backplane.kafka;

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

    private static final System.Logger LOG = System.getLogger(KafkaSubscription.class.getName());

    private final String channel;
    private final TopicPartition partition;
    private final Subscriber subscriber;
    private final SerialExecutor executor;
    private final Redeliveries redeliveries;
    private final Consumer<KafkaSubscription> onClose;
    // The next offset of the partition this subscription is owed; read and written by the poll thread only.
    private long next;
    private volatile boolean closed;

    KafkaSubscription(String channel, TopicPartition partition, Subscriber subscriber, Executor pool,
            ScheduledExecutorService timer, Duration ackTimeout, Consumer<KafkaSubscription> onClose) {
        this.channel = channel;
        this.partition = partition;
        this.subscriber = subscriber;
        this.executor = new SerialExecutor(pool);
        this.redeliveries = new Redeliveries(ackTimeout, timer, executor, this::deliver);
        this.onClose = onClose;
    }

    @Override
    public String channel() {
        return channel;
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
        if (offset < next || closed) {
            return;
        }
        next = offset + 1;
        redeliveries.deliver(channel, payload, KafkaBackplane.position(offset));
    }

    /** Reports a gap ahead of every delivery queued after this call. */
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

    /** Deliveries queued and not yet handed to the subscriber. */
    int backlog() {
        return executor.backlog();
    }

    private void deliver(Delivery delivery) {
        if (closed) {
            return;
        }
        try {
            subscriber.onMessage(delivery);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "subscriber of channel '" + channel + "' threw; the delivery stays "
                    + "unacknowledged and is delivered again after the ack timeout", e);
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
