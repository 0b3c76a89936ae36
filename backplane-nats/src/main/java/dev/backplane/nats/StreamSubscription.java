package dev.backplane.nats;

import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.SubscriberDispatch;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
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

    /** How soon a pull the connection did not take is tried again. */
    private static final long PULL_RETRY_MILLIS = 100;
    private static final long FIRST_RETRY_MILLIS = 50;
    private static final long LONGEST_RETRY_MILLIS = 1000;

    private final String channel;
    private final String subject;
    private final StreamReading reading;
    private final RetentionCheck retention;
    private final SubscriberDispatch dispatch;
    private final Consumer<StreamSubscription> onClose;
    private final int maxUnacknowledged;
    private final String inboxBase;
    private final StreamTail tail; // null: every subscription reads on its own


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
    private boolean here; // reading through the tail, not a consumer of its own

    /**
     * @param tail the stream's shared reading, null if the stream captures more than the prefix
     * @param onClose told when the subscription closes, to forget it */
    StreamSubscription(String channel, String subject, Subscriber subscriber, StreamReading reading,
            StreamTail tail, Consumer<StreamSubscription> onClose) {
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
        this.tail = tail;
        if (tail != null) {
            tail.opened(subject);
        }
    }

    /** The channel's subject. */
    String subject() {
        return subject;
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
        if (tail != null) {
            return tail.join(this);
        }
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
        resume(true);
    }

    /**
     * @param checkRetention whether to ask the stream first what it still holds after the last
     *     sequence; without, a skip in what the new consumer delivers is checked as it comes
     */
    private void resume(boolean checkRetention) {
        int gen;
        long after;
        synchronized (this) {
            if (closed || here) {
                return; // the tail resumes for those reading through it
            }
            if (starting) {
                startAgain = true; // the start under way may have been made on a connection now gone
                return;
            }
            starting = true;
            if (!newGeneration()) {
                starting = false;
                later(() -> resume(checkRetention), nextRetry());
                return;
            }
            gen = generation;
            after = lastSequence;
        }
        CompletableFuture<Void> created = checkRetention ? resumeChecked(gen, after)
                : createConsumer(gen, after + 1, null);
        created.whenComplete((ok, error) -> {
            if (error != null) {
                LOG.log(System.Logger.Level.DEBUG, "resuming channel '" + channel + "' failed; retrying", error);
                synchronized (this) {
                    if (gen != generation || closed) {
                        return;
                    }
                    starting = false;
                }
                later(() -> resume(checkRetention), nextRetry());
            }
        });
    }

    private CompletableFuture<Void> resumeChecked(int gen, long after) {
        return reading.streamInfo().after(System.nanoTime())
                .thenCompose(info -> retention.startAfter(channel, after, info))
                .thenCompose(start -> {
                    synchronized (this) {
                        if (gen != generation) {
                            return CompletableFuture.completedFuture(null);
                        }
                        lastSequence = start.next() - 1;
                    }
                    return createConsumer(gen, start.next(), start.gap().orElse(null));
                });
    }

    /**
     * Creates consumer generation {@code gen} reading from {@code next} (0: what is stored from
     * now on), then reports {@code gap} and starts pulling.
     */
    private CompletableFuture<Void> createConsumer(int gen, long next, Gap gap) {
        String name = PullConsumers.newName();
        return PullConsumers.create(reading, name, subject, next)
                .thenAccept(info -> {
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
        PullConsumers.delete(reading, name);
    }

    private void unsubscribe(io.nats.client.Subscription s) {
        PullConsumers.unsubscribe(reading, s);
    }

    // ---------------------------------------------------------------- reading

    /**
     * Asks for as many messages as the subscription may still hold; call under the lock. The
     * request expires and carries heartbeats ({@link PullConsumers#pullRequest}): a request the
     * server dropped, or a consumer whose server died, shows as silence, which {@link #pullIfIdle}
     * answers with a new consumer.
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
                    inboxBase + "." + generation, PullConsumers.pullRequest(room));
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
        boolean caughtUp = false;
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
                caughtUp = take(message);
            }
        }
        if (restart) {
            resume();
        } else if (caughtUp) {
            tail.rejoin(this);
        }
    }

    /** Under the lock; true if the subscription has caught up and may read through the tail again. */
    private boolean take(Message message) {
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
        return tail != null && meta.pending() == 0 && held.isEmpty()
                && dispatch.unacknowledged() < maxUnacknowledged / 2;
    }

    // ---------------------------------------------------------------- reading through the tail

    /**
     * Starts reading through the tail, which has passed on everything up to {@code passed}; false
     * if the subscription closed.
     */
    synchronized boolean attach(long passed) {
        if (closed) {
            return false;
        }
        here = true;
        lastSequence = Math.max(lastSequence, passed);
        return true;
    }

    /**
     * Moves from its own consumer to the tail if it has taken everything of its channel the tail
     * may not pass on: the tail covers everything after {@code coveredUpTo} and passed its
     * channel's messages up to {@code lastPassed}; {@code onAttached} runs under this lock once it
     * has moved.
     */
    synchronized void attachIfCaughtUp(long coveredUpTo, long lastPassed, Runnable onAttached) {
        if (closed || here || starting || consumer == null || !held.isEmpty()
                || lastSequence < coveredUpTo || lastPassed > lastSequence) {
            return;
        }
        generation++; // what the own consumer still sends is dropped; the tail sends it again
        if (inbox != null) {
            unsubscribe(inbox);
            inbox = null;
        }
        deleteConsumer(consumer);
        consumer = null;
        pulling = false;
        requested = 0;
        here = true;
        onAttached.run();
    }

    /**
     * From the tail, in stream order: a message of this channel. False if the subscription cannot take it now (it holds its
     * limit of unacknowledged deliveries): it then reads on with a consumer of its own, from this
     * message on, and the tail forgets it.
     */
    synchronized boolean offer(long sequence, byte[] payload) {
        if (closed || !here) {
            return false;
        }
        if (sequence <= lastSequence) {
            return true; // taken from the consumer it read with before
        }
        if (!dispatch.hasCapacity() || dispatch.unacknowledged() >= maxUnacknowledged) {
            readOnItsOwn(false);
            return false;
        }
        lastSequence = sequence;
        lastStoredMillis = 0;
        dispatch.deliver(payload, JetStreamBackplane.position(sequence));
        return true;
    }

    /**
     * Leaves the tail for a consumer of its own, reading after the last sequence it took (the tail
     * handed over everything of the channel up to where it is).
     *
     * @param checkRetention false when the stream surely holds what follows (the tail is at the live
     *     end): what retention removes before the new consumer reads it shows as a skip, checked as
     *     it comes; true after the tail saw messages removed or the stream lose its data
     */
    synchronized void readOnItsOwn(boolean checkRetention) {
        if (closed || !here) {
            return;
        }
        here = false;
        resume(checkRetention);
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
            if (closed || here || starting || consumer == null) {
                return;
            }
            if (!pulling || System.nanoTime() - lastHeard < PullConsumers.SILENCE.toNanos()) {
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
        if (tail != null) {
            tail.closed(subject, this);
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
