package dev.backplane.nats;

import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.Redeliveries;
import dev.backplane.spi.SubscriberDispatch;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

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
 *
 * <p>Flow control: once {@code maxBacklog} deliveries are unacknowledged (queued for the
 * subscriber or handed over), the consumer is stopped and what it still sends is dropped
 * unread; once half of them are acknowledged, a new consumer starts right after the last sequence
 * handed on. The server holds the rest meanwhile, so client memory stays bounded and nothing is
 * dropped by the client.
 *
 * <p>Retention: when a delivery skips stream sequences, {@link RetentionCheck#gapBefore} tells
 * whether retention may have removed some of the channel's messages in between (a subscriber
 * that fell behind the stream's limits); if so the subscriber gets {@link Subscriber#onGap} first.
 */
final class StreamSubscription implements Subscription {

    private static final System.Logger LOG = System.getLogger(StreamSubscription.class.getName());

    private final String channel;
    private final String subject;
    private final StreamReading reading;
    private final RetentionCheck retention;
    private final Consumer<StreamSubscription> onClose;
    private final SubscriberDispatch dispatch;
    private final Object consumerLock = new Object();
    // The last stream sequence handed on; only ever moves forward.
    private final AtomicLong lastSequence = new AtomicLong();
    private final AtomicBoolean resuming = new AtomicBoolean();
    private final int maxBacklog;
    private final Object flowLock = new Object();
    private volatile boolean paused; // written under flowLock
    private ScheduledFuture<?> flowWatch; // guarded by flowLock
    // A consumer that sent a message dropped unread while paused: nothing more is taken from it, or
    // what it sends next would follow the dropped ones without them.
    private volatile Object skippedBy;
    private volatile JetStreamSubscription consumer; // written under consumerLock

    /**
     * @param onClose told when the subscription closes, to forget it
     */
    StreamSubscription(String channel, String subject, Subscriber subscriber, StreamReading reading,
            Consumer<StreamSubscription> onClose) {
        this.channel = channel;
        this.subject = subject;
        this.reading = reading;
        this.retention = new RetentionCheck(reading.jsm(), reading.stream(), subject, reading.streamInfo());
        this.maxBacklog = reading.maxBacklog();
        this.onClose = onClose;
        this.dispatch = SubscriberDispatch.atLeastOnce(channel, subscriber, reading.deliveryPool(), reading.timer(),
                reading.ackTimeout(), Integer.MAX_VALUE, () -> { }, () -> true, this::unpauseIfDrained);
    }

    /** How the stream's retention stands for this subscription's channel. */
    RetentionCheck retention() {
        return retention;
    }

    /** Deliveries made and not yet acknowledged, queued or handed over. */
    int unacknowledged() {
        return dispatch.unacknowledged();
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
        dispatch.gap(gap);
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
            resume(Duration.ofMillis(100), true);
        }
    }

    /** Starts a new consumer after a pause: a skip in what it sends is checked like any other. */
    private void resumeAfterPause() {
        if (resuming.compareAndSet(false, true)) {
            resume(Duration.ofMillis(100), false);
        }
    }

    private void resume(Duration backoff, boolean checkRetention) {
        if (dispatch.isClosed()) {
            resuming.set(false);
            return;
        }
        try {
            if (checkRetention) {
                long after = lastSequence.get();
                StreamInfo info = retention.streamInfo();
                Optional<Gap> gap = retention.gapAfter(channel, after, info);
                if (gap.isPresent()) {
                    gap(gap.get());
                    // Read from where the gap ends, so that its first delivery is not seen as a skip again.
                    lastSequence.accumulateAndGet(RetentionCheck.resumesAt(gap.get(), info) - 1, Math::max);
                }
            }
            consumeFrom(lastSequence.get() + 1);
            resuming.set(false);
        } catch (IOException | JetStreamApiException | IllegalStateException e) {
            LOG.log(System.Logger.Level.DEBUG, "resuming channel '" + channel + "' failed; retrying in " + backoff, e);
            Duration next = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(1)) > 0
                    ? Duration.ofSeconds(1) : backoff.multipliedBy(2);
            try {
                reading.timer().schedule(() -> reading.io().execute(() -> resume(next, checkRetention)), backoff.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                resuming.set(false); // the backplane is closing
            }
        }
    }

    private void consumeFrom(long next) throws IOException, JetStreamApiException {
        synchronized (consumerLock) {
            stopConsumer();
            if (dispatch.isClosed() || paused) {
                return; // the end of the pause starts a consumer
            }
            ConsumerConfiguration config = ConsumerConfiguration.builder()
                    .filterSubject(subject)
                    .deliverPolicy(DeliverPolicy.ByStartSequence)
                    .startSequence(next)
                    .idleHeartbeat(reading.heartbeat())
                    .build();
            PushSubscribeOptions options = PushSubscribeOptions.builder()
                    .stream(reading.stream())
                    .ordered(true)
                    .configuration(config)
                    .build();
            consumer = reading.js().subscribe(subject, reading.dispatcher(), this::onMessage, false, options);
        }
    }

    private void onMessage(Message message) {
        if (dispatch.isClosed() || !message.isJetStream()) {
            return;
        }
        Object from = message.getSubscription();
        if (from != null && from == skippedBy) {
            return;
        }
        if (paused) {
            skippedBy = from; // unread: the next consumer starts after the last sequence handed on
            return;
        }
        long receivedAt = System.nanoTime();
        long sequence = message.metaData().streamSequence();
        long previous = lastSequence.getAndAccumulate(sequence, Math::max);
        if (previous >= sequence) {
            return; // already handed on, from the consumer this one replaced
        }
        if (sequence > previous + 1) {
            long pendingAfter = message.metaData().pendingCount();
            dispatch.execute(() -> checkRetention(previous, sequence, pendingAfter, receivedAt));
        }
        byte[] data = message.getData() == null ? new byte[0] : message.getData();
        dispatch.deliver(data, Position.of(Long.toString(sequence)));
        if (dispatch.unacknowledged() >= maxBacklog) {
            pause();
        }
    }

    /** Runs on the serial executor, before the delivery of {@code sequence}. */
    private void checkRetention(long previous, long sequence, long pendingAfter, long receivedAt) {
        if (dispatch.isClosed()) {
            return;
        }
        Optional<Gap> gap;
        try {
            gap = retention.gapBefore(channel, previous, sequence, pendingAfter, receivedAt);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            // Unknown is reported as possible: nothing may be lost silently.
            gap = Optional.of(new Gap(channel, Position.of(Long.toString(previous)), Position.of(Long.toString(sequence)),
                    "could not read the retention state of stream '" + reading.stream() + "' (" + e.getMessage()
                            + "); messages between the two positions may have been removed by its limits"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // the backplane is closing
        }
        gap.ifPresent(dispatch::handOverGap);
    }

    /** Stops reading from the server: the subscriber holds {@code maxBacklog} unacknowledged deliveries. */
    private void pause() {
        synchronized (flowLock) {
            if (paused || dispatch.isClosed()) {
                return;
            }
            paused = true;
            try {
                reading.io().execute(() -> {
                    synchronized (consumerLock) {
                        if (paused) {
                            stopConsumer();
                        }
                    }
                });
                if (flowWatch == null) {
                    // Acknowledgements may come from any thread at any time: look for them.
                    flowWatch = reading.timer().scheduleWithFixedDelay(this::watchFlow, 25, 25, TimeUnit.MILLISECONDS);
                }
            } catch (RejectedExecutionException closing) {
                // The backplane is closing.
            }
        }
    }

    private void unpauseIfDrained() {
        if (!paused || dispatch.unacknowledged() > maxBacklog / 2) {
            return;
        }
        synchronized (flowLock) {
            if (!paused || dispatch.isClosed()) {
                return;
            }
            paused = false;
        }
        try {
            reading.io().execute(this::resumeAfterPause);
        } catch (RejectedExecutionException closing) {
            // The backplane is closing.
        }
    }

    /** While paused, and until a consumer that skipped nothing reads again afterwards. */
    private void watchFlow() {
        unpauseIfDrained();
        boolean restart;
        synchronized (flowLock) {
            JetStreamSubscription current = consumer;
            if (dispatch.isClosed() || (!paused && current != null && current != skippedBy)) {
                flowWatch.cancel(false);
                flowWatch = null;
                return;
            }
            restart = !paused && !resuming.get();
        }
        if (restart) {
            // No consumer, or only the one that skipped messages (a resume raced with a pause): start one.
            try {
                reading.io().execute(this::resumeAfterPause);
            } catch (RejectedExecutionException closing) {
                // The backplane is closing.
            }
        }
    }

    private void stopConsumer() {
        if (consumer != null) {
            try {
                reading.dispatcher().unsubscribe(consumer);
            } catch (IllegalStateException e) {
                // Connection or dispatcher closed: the server drops the ephemeral consumer by itself.
            }
            consumer = null;
        }
    }

    @Override
    public void close() {
        if (!dispatch.close()) {
            return;
        }
        synchronized (flowLock) {
            if (flowWatch != null) {
                flowWatch.cancel(false);
                flowWatch = null;
            }
        }
        synchronized (consumerLock) {
            stopConsumer();
        }
        onClose.accept(this);
    }
}
