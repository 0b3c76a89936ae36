package dev.backplane.nats;

import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.Redeliveries;
import dev.backplane.spi.SerialExecutor;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One subscription to a channel of a JetStream stream, read through a consumer of its own: an
 * ordered push consumer, filtered on the channel's subject, starting at a stream sequence. Ordered
 * consumers belong to one client and are never shared, so every node sees every message; jnats
 * re-creates the consumer by itself when it detects a gap or misses heartbeats.
 *
 * <p>This class remembers the last stream sequence it handed on, so that it can start a new
 * consumer right after it when the connection comes back ({@link #resume()}; the server keeps an
 * ordered consumer in memory only, so a restart loses it) and drop anything at or before it (a
 * message seen twice across such a switch is not delivered twice).
 *
 * <p>Acknowledgement is client-side: an ordered consumer has no server acks, so deliveries go
 * through {@link Redeliveries}, which hands an unacknowledged delivery over again after the ack
 * timeout, flagged redelivered.
 */
final class StreamSubscription implements Subscription {

    private static final System.Logger LOG = System.getLogger(StreamSubscription.class.getName());

    private final String channel;
    private final String subject;
    private final String stream;
    private final RetentionCheck retention;
    private final Subscriber subscriber;
    private final JetStream js;
    private final Dispatcher dispatcher;
    private final Duration heartbeat;
    private final Executor io;
    private final ScheduledExecutorService timer;
    private final java.util.function.Consumer<StreamSubscription> onClose;
    private final SerialExecutor executor;
    private final Redeliveries redeliveries;
    private final Object consumerLock = new Object();
    // The last stream sequence handed on; only ever moves forward.
    private final java.util.concurrent.atomic.AtomicLong lastSequence = new java.util.concurrent.atomic.AtomicLong();
    private volatile JetStreamSubscription consumer; // written under consumerLock
    private final java.util.concurrent.atomic.AtomicBoolean resuming = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;

    StreamSubscription(String channel, String subject, String stream, RetentionCheck retention, Subscriber subscriber,
            JetStream js,
            Dispatcher dispatcher, Duration heartbeat, Duration ackTimeout, Executor deliveryPool, Executor io,
            ScheduledExecutorService timer, java.util.function.Consumer<StreamSubscription> onClose) {
        this.channel = channel;
        this.subject = subject;
        this.stream = stream;
        this.retention = retention;
        this.subscriber = subscriber;
        this.js = js;
        this.dispatcher = dispatcher;
        this.heartbeat = heartbeat;
        this.io = io;
        this.timer = timer;
        this.onClose = onClose;
        this.executor = new SerialExecutor(deliveryPool);
        this.redeliveries = new Redeliveries(ackTimeout, timer, delivery -> executor.execute(() -> deliver(delivery)));
    }

    @Override
    public String channel() {
        return channel;
    }

    /** Starts reading at stream sequence {@code next}; returns once the server has the consumer. */
    void start(long next) throws IOException, JetStreamApiException {
        lastSequence.set(next - 1);
        consumeFrom(next);
    }

    /** Reports a gap to the subscriber, before any delivery queued after this call. */
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

    /** Whether {@code jnatsSubscription} is the consumer this subscription reads now. */
    boolean readsThrough(JetStreamSubscription jnatsSubscription) {
        return consumer == jnatsSubscription;
    }

    /**
     * Starts a new consumer right after the last sequence handed on, retrying until it works or the
     * subscription is closed; for after a reconnect, when the old consumer may be gone. If the stream
     * removed messages after that sequence meanwhile, the subscriber hears of it first.
     */
    void resume() {
        // One resume at a time: reconnects and heartbeat alarms may ask for it together.
        if (resuming.compareAndSet(false, true)) {
            resume(Duration.ofMillis(100));
        }
    }

    private void resume(Duration backoff) {
        if (closed) {
            resuming.set(false);
            return;
        }
        try {
            long after = lastSequence.get();
            StreamInfo info = retention.streamInfo();
            Optional<Gap> gap = retention.gapAfter(channel, after, info);
            if (gap.isPresent()) {
                gap(gap.get());
                lastSequence.accumulateAndGet(info.getStreamState().getFirstSequence() - 1, Math::max);
            }
            consumeFrom(lastSequence.get() + 1);
            resuming.set(false);
        } catch (IOException | JetStreamApiException | IllegalStateException e) {
            LOG.log(System.Logger.Level.DEBUG, "resuming channel '" + channel + "' failed; retrying in " + backoff, e);
            Duration next = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(1)) > 0
                    ? Duration.ofSeconds(1) : backoff.multipliedBy(2);
            try {
                timer.schedule(() -> io.execute(() -> resume(next)), backoff.toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                resuming.set(false); // the backplane is closing
            }
        }
    }

    private void consumeFrom(long next) throws IOException, JetStreamApiException {
        synchronized (consumerLock) {
            if (closed) {
                return;
            }
            stopConsumer();
            ConsumerConfiguration config = ConsumerConfiguration.builder()
                    .filterSubject(subject)
                    .deliverPolicy(DeliverPolicy.ByStartSequence)
                    .startSequence(next)
                    .idleHeartbeat(heartbeat)
                    .build();
            PushSubscribeOptions options = PushSubscribeOptions.builder()
                    .stream(stream)
                    .ordered(true)
                    .configuration(config)
                    .build();
            consumer = js.subscribe(subject, dispatcher, this::onMessage, false, options);
        }
    }

    private void onMessage(Message message) {
        if (closed || !message.isJetStream()) {
            return;
        }
        long sequence = message.metaData().streamSequence();
        if (lastSequence.getAndAccumulate(sequence, Math::max) >= sequence) {
            return; // already handed on, from the consumer this one replaced
        }
        byte[] data = message.getData() == null ? new byte[0] : message.getData();
        redeliveries.deliver(channel, data, Position.of(Long.toString(sequence)));
    }

    private void deliver(Delivery delivery) {
        if (closed) {
            return;
        }
        try {
            subscriber.onMessage(delivery);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "subscriber of channel '" + channel + "' threw; the delivery stays "
                    + "unacknowledged and comes again after the ack timeout", e);
        }
    }

    private void stopConsumer() {
        if (consumer != null) {
            try {
                dispatcher.unsubscribe(consumer);
            } catch (IllegalStateException e) {
                // Connection or dispatcher closed: the server drops the ephemeral consumer by itself.
            }
            consumer = null;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        redeliveries.close();
        synchronized (consumerLock) {
            stopConsumer();
        }
        onClose.accept(this);
    }
}
