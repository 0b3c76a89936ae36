package dev.backplane.nats;

import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.SubscriberDispatch;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.NUID;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerCreateRequest;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One subscription to a channel of a JetStream stream, read through a pull consumer of its own:
 * ephemeral, filtered on the channel's subject, without server-side acknowledgement, started at a
 * stream sequence. Every subscription has its own consumer, so every instance sees every message,
 * and one slow subscription holds back nobody else.
 *
 * <h2>Flow control</h2>
 * The subscription asks the server for as many messages as it may still hold unacknowledged
 * ({@code maxUnacknowledged} less those unacknowledged, through
 * {@link SubscriberDispatch#hasCapacity()}), one pull request at a time, so the server never sends
 * more: nothing is dropped, no consumer is stopped or restarted for it, and a subscriber that does
 * not acknowledge holds at most that many deliveries. When acknowledgements make room again
 * ({@code onCapacity}), it asks for more.
 *
 * <h2>Acknowledgement</h2>
 * Client-side ({@link SubscriberDispatch#atLeastOnce}): an unacknowledged delivery is handed over
 * again after the ack timeout, flagged redelivered, from the client's memory.
 *
 * <h2>Across trouble</h2>
 * The subscription remembers the last stream sequence it took. After a reconnect, or when the
 * server ends its consumer or pull request (it answers so), it starts a new consumer right after
 * that sequence and drops anything at or before it, so nothing the stream kept is lost, and nothing
 * is delivered twice by the server. A stream that came back without that sequence (its data lost)
 * gets a gap, then everything it retains.
 *
 * <h2>Retention</h2>
 * A delivery that skips stream sequences is normal (other channels' messages); only when retention
 * may have removed some of this channel's messages in between ({@link RetentionCheck}) does the
 * subscription wait, for itself alone, for the stream's state, and report a gap first if so.
 */
final class StreamSubscription implements Subscription {

    private static final System.Logger LOG = System.getLogger(StreamSubscription.class.getName());

    /** How long the server keeps a consumer nobody pulls from (this process died, say). */
    static final Duration INACTIVE_THRESHOLD = Duration.ofMinutes(2);
    /** How soon a pull the connection did not take is tried again. */
    private static final long PULL_RETRY_MILLIS = 100;
    private static final long FIRST_RETRY_MILLIS = 50;
    private static final long LONGEST_RETRY_MILLIS = 1000;
    /**
     * How often the server signals a waiting pull request is alive, and how long one waits. A
     * consumer lives on one server (it is in memory, one replica): when that server dies, as in a
     * cluster whose other servers carry on, nothing answers the request and the connection stays
     * up, so silence is the only sign; {@link #pullIfIdle} starts a new consumer after it.
     */
    private static final Duration PULL_HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration PULL_EXPIRES = Duration.ofSeconds(30);
    private static final Duration SILENCE = PULL_HEARTBEAT.multipliedBy(3);

    private final String channel;
    private final String subject;
    private final StreamReading reading;
    private final RetentionCheck retention;
    private final SubscriberDispatch dispatch;
    private final Consumer<StreamSubscription> onClose;
    private final int maxUnacknowledged;
    private final String inboxBase;

    // All state below is guarded by this.
    private long lastSequence; // the last stream sequence taken (handed on or held for a check)
    private long lastStoredMillis; // when it was stored (server clock), 0 if unknown
    private int generation; // of the consumer; what an older one sends is dropped
    private io.nats.client.Subscription inbox;
    private String consumer; // the consumer reading now, null while none
    private boolean starting;
    private boolean startAgain;
    private boolean pulling;
    /** When the server last sent anything for the current pull request (nanoTime). */
    private long lastHeard;
    private int requested; // of the outstanding pull request, not yet received
    private long retryMillis = FIRST_RETRY_MILLIS;
    // Taken while a retention check is outstanding, in order, each waiting for the one before.
    private final ArrayDeque<Taken> held = new ArrayDeque<>();
    private boolean closed;

    /** @param onClose told when the subscription closes, to forget it */
    StreamSubscription(String channel, String subject, Subscriber subscriber, StreamReading reading,
            Consumer<StreamSubscription> onClose) {
        this.channel = channel;
        this.subject = subject;
        this.reading = reading;
        this.retention = new RetentionCheck(reading.api(), reading.stream(), subject, reading.streamInfo(),
                new FreshReading<>(() -> RetentionCheck.oldestOf(reading.api(), reading.stream(), subject),
                        reading.scheduler(), reading.io()));
        this.onClose = onClose;
        this.maxUnacknowledged = reading.config().maxUnacknowledged();
        this.dispatch = SubscriberDispatch.atLeastOnce(channel, subscriber, reading.config(), this::onCapacity);
        this.inboxBase = reading.link().connection().createInbox();
    }

    @Override
    public String channel() {
        return channel;
    }

    /** Deliveries made and not yet acknowledged, queued or handed over. */
    int unacknowledged() {
        return dispatch.unacknowledged();
    }

    // ---------------------------------------------------------------- starting

    /**
     * Starts reading what is stored from now on; completes once the server has the consumer, so
     * that every message stored after that is delivered.
     */
    CompletableFuture<Void> startLive(long deadlineNanos) {
        CompletableFuture<Void> started = new CompletableFuture<>();
        createUntil(0, null, deadlineNanos, started);
        return started;
    }

    /**
     * Starts a replay of what the stream retains after stream sequence {@code after} (0: all),
     * reporting first the gap retention left, if any, or that the position is beyond the stream's
     * end; completes once the server has the consumer.
     */
    CompletableFuture<Void> startAfter(long after, long deadlineNanos) {
        return reading.streamInfo().after(System.nanoTime())
                .thenCompose(info -> retention.startAfter(channel, after, info))
                .thenCompose(start -> startAt(start.next(), start.gap(), deadlineNanos));
    }

    private CompletableFuture<Void> startAt(long next, Optional<Gap> gap, long deadlineNanos) {
        CompletableFuture<Void> started = new CompletableFuture<>();
        createUntil(next, gap.orElse(null), deadlineNanos, started);
        return started;
    }

    /**
     * Tries to create the consumer (reading from {@code next}, 0 for what is stored from now on)
     * until it works, fails for good, the subscription closes or the deadline passes.
     */
    private void createUntil(long next, Gap gap, long deadlineNanos, CompletableFuture<Void> started) {
        int gen;
        CompletableFuture<Void> created;
        synchronized (this) {
            if (closed) {
                return;
            }
            starting = true;
            if (next > 0) {
                lastSequence = next - 1;
            }
            gen = generation + 1;
            created = newGeneration() ? createConsumer(gen, next, gap)
                    : CompletableFuture.failedFuture(new IllegalStateException("the connection does not take a subscription now"));
        }
        created.whenComplete((ok, error) -> {
            if (error == null) {
                started.complete(null);
                return;
            }
            Throwable cause = unwrap(error);
            boolean retry = !(cause instanceof JetStreamApiException) && System.nanoTime() - deadlineNanos < 0
                    && isOpen(gen);
            if (retry) {
                later(() -> createUntil(next, gap, deadlineNanos, started), FIRST_RETRY_MILLIS * 2);
            } else {
                started.completeExceptionally(cause instanceof JetStreamApiException api
                        ? new BackplaneException("JetStream on NATS at " + reading.link().description()
                                + " refused a consumer for '" + subject + "' on stream '" + reading.stream() + "': "
                                + api.getErrorDescription() + " (code " + api.getApiErrorCode() + ")", api)
                        : new BrokerUnavailableException("JetStream on NATS at " + reading.link().description()
                                + " did not create a consumer for '" + subject + "' within connectTimeout="
                                + reading.config().connectTimeout() + " (" + cause + ")", cause));
            }
        });
    }

    /**
     * Starts a new consumer right after the last sequence taken, for a reconnect, a consumer gone
     * or a pull that failed; tried again until it works or the subscription closes. A stream that
     * no longer holds what follows gets the gap reported first.
     */
    void resume() {
        int gen;
        long after;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (starting) {
                startAgain = true; // the start under way may have been made on a connection now gone
                return;
            }
            starting = true;
            if (!newGeneration()) {
                starting = false;
                later(this::resume, nextRetry());
                return;
            }
            gen = generation;
            after = lastSequence;
        }
        reading.streamInfo().after(System.nanoTime())
                .thenCompose(info -> retention.startAfter(channel, after, info))
                .thenCompose(start -> {
                    synchronized (this) {
                        if (gen != generation) {
                            return CompletableFuture.completedFuture(null);
                        }
                        lastSequence = start.next() - 1;
                    }
                    return createConsumer(gen, start.next(), start.gap().orElse(null));
                })
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.log(System.Logger.Level.DEBUG, "resuming channel '" + channel + "' failed; retrying", error);
                        synchronized (this) {
                            if (gen != generation || closed) {
                                return;
                            }
                            starting = false;
                        }
                        later(this::resume, nextRetry());
                    }
                });
    }

    /**
     * Creates consumer generation {@code gen} reading from {@code next} (0: what is stored from
     * now on), then reports {@code gap} and starts pulling.
     */
    private CompletableFuture<Void> createConsumer(int gen, long next, Gap gap) {
        String name = NUID.nextGlobal();
        ConsumerConfiguration.Builder config = ConsumerConfiguration.builder()
                .name(name)
                .filterSubject(subject)
                .ackPolicy(AckPolicy.None)
                .inactiveThreshold(INACTIVE_THRESHOLD)
                .memStorage(true);
        if (next == 0) {
            config.deliverPolicy(DeliverPolicy.New);
        } else {
            config.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(next);
        }
        String body = new ConsumerCreateRequest(reading.stream(), config.build()).toJson();
        return reading.api().request("CONSUMER.CREATE." + reading.stream() + "." + name + "." + subject, body)
                .thenAccept(answer -> {
                    ConsumerInfo info;
                    try {
                        info = new ConsumerInfo(answer).throwOnHasError();
                    } catch (JetStreamApiException e) {
                        throw new CompletionException(e);
                    }
                    boolean again;
                    synchronized (this) {
                        if (gen != generation || closed) {
                            deleteConsumer(name); // superseded while it was being created
                            return;
                        }
                        consumer = name;
                        starting = false;
                        again = startAgain;
                        startAgain = false;
                        retryMillis = FIRST_RETRY_MILLIS;
                        if (next == 0) {
                            lastSequence = info.getDelivered().getStreamSequence();
                            lastStoredMillis = System.currentTimeMillis();
                        }
                        if (gap != null) {
                            takeGap(gap);
                        }
                        pull();
                    }
                    if (again) {
                        resume();
                    }
                });
    }

    /**
     * A new consumer generation: the old consumer's inbox is dropped and the consumer deleted;
     * false if the connection did not take the new inbox's subscription (closing, or its queue
     * stayed busy): try again later.
     */
    private boolean newGeneration() {
        generation++;
        int gen = generation;
        if (inbox != null) {
            unsubscribe(inbox);
            inbox = null;
        }
        if (consumer != null) {
            deleteConsumer(consumer);
            consumer = null;
        }
        pulling = false;
        requested = 0;
        try {
            inbox = reading.dispatcher().subscribe(inboxBase + "." + gen, message -> onMessage(gen, message));
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private void deleteConsumer(String name) {
        reading.api().request("CONSUMER.DELETE." + reading.stream() + "." + name, "");
    }

    private void unsubscribe(io.nats.client.Subscription s) {
        try {
            reading.dispatcher().unsubscribe(s);
        } catch (IllegalStateException e) {
            // the connection is closing: nothing left to unsubscribe
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Asks for as many messages as the subscription may still hold; call under the lock. The
     * request has no expiry: the server keeps it until it has sent that many, or until the
     * consumer or this connection's interest goes (the consumer's end is answered with a 409; a
     * new connection gets a new consumer). One that expired could be dropped by the server without
     * a word when a message comes at that moment, and the subscription would wait for ever.
     */
    private void pull() {
        if (closed || consumer == null || pulling) {
            return;
        }
        if (!dispatch.hasCapacity()) {
            return; // onCapacity comes back here
        }
        int room = maxUnacknowledged - dispatch.unacknowledged() - held.size();
        if (room <= 0) {
            return; // the end of the retention check comes back here
        }
        try {
            reading.link().connection().publish("$JS.API.CONSUMER.MSG.NEXT." + reading.stream() + "." + consumer,
                    inboxBase + "." + generation, ("{\"batch\":" + room + ",\"expires\":" + PULL_EXPIRES.toNanos()
                            + ",\"idle_heartbeat\":" + PULL_HEARTBEAT.toNanos() + "}").getBytes(StandardCharsets.US_ASCII));
            pulling = true;
            lastHeard = System.nanoTime();
            requested = room;
        } catch (IllegalStateException e) {
            // Disconnected (the reconnect starts a new consumer and pulls) or the client's queue stayed busy.
            later(this::pullNow, PULL_RETRY_MILLIS);
        }
    }

    /** Acknowledgements made room (on the acking thread: hand over, do not pull here). */
    private void onCapacity() {
        try {
            reading.io().execute(this::pullNow);
        } catch (RejectedExecutionException closing) {
            // the backplane is closing
        }
    }

    private synchronized void pullNow() {
        pull();
    }

    /** On the dispatcher's thread: one message or status of consumer generation {@code gen}. */
    private void onMessage(int gen, Message message) {
        boolean restart = false;
        synchronized (this) {
            if (closed || gen != generation) {
                return;
            }
            lastHeard = System.nanoTime();
            if (message.isStatusMessage()) {
                int code = message.getStatus().getCode();
                if (code == 100) {
                    return; // a heartbeat: the consumer is alive
                }
                pulling = false;
                requested = 0;
                if (code == 408 || code == 404) {
                    pull(); // the request ended with room left: ask again
                    return;
                }
                // 409 (consumer deleted, leadership change, ...), 503 (no such consumer): start a new one
                LOG.log(System.Logger.Level.DEBUG, "consumer of channel ''{0}'' ended: {1}; starting a new one",
                        channel, message.getStatus());
                restart = true;
            } else {
                take(message);
            }
        }
        if (restart) {
            resume();
        }
    }

    private void take(Message message) {
        if (--requested <= 0) {
            pulling = false;
        }
        JetStreamReplies.Delivered meta = JetStreamReplies.delivered(message);
        long sequence = meta.streamSequence();
        if (sequence > lastSequence) {
            long previous = lastSequence;
            long previousMillis = lastStoredMillis;
            lastSequence = sequence;
            lastStoredMillis = meta.storedMillis();
            byte[] data = message.getData();
            Taken taken = new Taken(sequence, data == null ? new byte[0] : data, previous, previousMillis,
                    meta.pending(), System.nanoTime(), null);
            if (held.isEmpty()) {
                CompletableFuture<Optional<Gap>> check = retention.gapBefore(channel, previous, previousMillis,
                        sequence, taken.pendingAfter, taken.receivedAt);
                if (check == null) {
                    hand(taken);
                } else {
                    taken.check = check;
                    held.add(taken);
                    awaitCheck(check);
                }
            } else {
                held.add(taken);
            }
        }
        // else: already taken, from the consumer this one replaced
        if (!pulling) {
            pull();
        }
    }

    private void takeGap(Gap gap) {
        if (held.isEmpty()) {
            dispatch.gap(gap);
        } else {
            held.add(new Taken(0, null, 0, 0, 0, 0, gap));
        }
    }

    private void hand(Taken taken) {
        dispatch.deliver(taken.data, JetStreamBackplane.position(taken.sequence));
    }

    private void awaitCheck(CompletableFuture<Optional<Gap>> check) {
        check.whenComplete((gap, error) -> {
            try {
                reading.io().execute(this::releaseHeld);
            } catch (RejectedExecutionException closing) {
                // the backplane is closing
            }
        });
    }

    /** Hands on what was held, in order, as far as the retention checks have answered. */
    private synchronized void releaseHeld() {
        while (!held.isEmpty() && !closed) {
            Taken head = held.peek();
            if (head.gap != null) {
                dispatch.gap(head.gap);
                held.poll();
                continue;
            }
            if (head.check == null) {
                head.check = retention.gapBefore(channel, head.previous, head.previousMillis, head.sequence,
                        head.pendingAfter, head.receivedAt);
                if (head.check == null) {
                    hand(held.poll());
                    continue;
                }
                awaitCheck(head.check);
                return;
            }
            if (!head.check.isDone()) {
                return; // its completion comes back here
            }
            held.poll();
            try {
                head.check.join().ifPresent(dispatch::gap);
            } catch (CompletionException | CancellationException e) {
                // Not a loss: the reading is made again until it answers; a failure here means closing.
                LOG.log(System.Logger.Level.DEBUG, "retention check of channel '" + channel + "' failed", e);
            }
            hand(head);
        }
        pull();
    }

    // ---------------------------------------------------------------- liveness, closing

    /**
     * Called periodically, a safety net: a subscription that has a consumer, room, and no pull
     * request out (one that failed to go out, say) asks again; one whose pull request has been
     * silent past its heartbeats (the consumer's server died) starts a new consumer.
     */
    void pullIfIdle() {
        synchronized (this) {
            if (closed || starting || consumer == null) {
                return;
            }
            if (!pulling || System.nanoTime() - lastHeard < SILENCE.toNanos()) {
                pull();
                return;
            }
            pulling = false;
            requested = 0;
        }
        LOG.log(System.Logger.Level.DEBUG, "the pull request of channel ''{0}'' went silent; starting a new consumer",
                channel);
        resume();
    }

    private synchronized boolean isOpen(int gen) {
        return !closed && gen == generation;
    }

    private synchronized long nextRetry() {
        long pause = retryMillis;
        retryMillis = Math.min(LONGEST_RETRY_MILLIS, retryMillis * 2);
        return pause;
    }

    private void later(Runnable task, long millis) {
        LaterOnIo.run(reading.scheduler(), reading.io(), millis, TimeUnit.MILLISECONDS, task);
    }

    /** Reports a gap to the subscriber, before anything taken after this call. */
    synchronized void gap(Gap gap) {
        takeGap(gap);
    }

    @Override
    public void close() {
        if (!dispatch.close()) {
            return;
        }
        synchronized (this) {
            closed = true;
            generation++;
            held.clear();
            if (inbox != null) {
                unsubscribe(inbox);
                inbox = null;
            }
            if (consumer != null) {
                try {
                    deleteConsumer(consumer);
                } catch (RuntimeException e) {
                    // the connection is closing: the server drops the consumer after its inactive threshold
                }
                consumer = null;
            }
        }
        onClose.accept(this);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A message taken from the consumer (or a gap to report in order with them). */
    private static final class Taken {
        final long sequence;
        final byte[] data;
        final long previous;
        final long previousMillis;
        final long pendingAfter;
        final long receivedAt;
        final Gap gap;
        CompletableFuture<Optional<Gap>> check;

        Taken(long sequence, byte[] data, long previous, long previousMillis, long pendingAfter, long receivedAt,
                Gap gap) {
            this.sequence = sequence;
            this.data = data;
            this.previous = previous;
            this.previousMillis = previousMillis;
            this.pendingAfter = pendingAfter;
            this.receivedAt = receivedAt;
            this.gap = gap;
        }
    }
}
