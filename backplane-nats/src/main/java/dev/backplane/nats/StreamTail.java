package dev.backplane.nats;

import io.nats.client.Message;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The live end of a backplane's stream, read through one pull consumer for all its subscriptions
 * and handed to each by its channel's subject.
 *
 * <h2>Why one consumer</h2>
 * A consumer filtered on one subject costs the server work on every message the stream stores, so
 * a consumer per subscription makes each publish cost as many of those as the cluster has
 * subscriptions (four hub nodes with a hundred groups each: four hundred, and send latency of
 * seconds). One consumer over all the prefix's subjects per backplane costs one, whatever the
 * number of channels; the price is that this connection receives the prefix's messages of
 * channels it does not subscribe to, which it drops.
 *
 * <h2>Who reads here</h2>
 * A live subscription starts here ({@link #join}). One that cannot keep up (it holds
 * {@code maxUnacknowledged} deliveries when its next message comes) leaves for a consumer of its
 * own, which starts right after the last stream sequence passed here and reads at its pace
 * ({@link StreamSubscription}), so a slow subscriber holds back nobody else and loses nothing. So
 * does every subscription when this consumer may have missed messages: a skip in its stream
 * sequences (retention removed some) or a stream that came back without its data. A subscription
 * reading on its own comes back ({@link #rejoin}) once it has caught up, when the rule below says
 * nothing can fall between the two readings.
 *
 * <h2>Rejoining without loss</h2>
 * This consumer hands on every message from stream sequence {@code coveredFrom} on, in order, and
 * remembers per subject the last sequence it passed. A subscription that has taken everything of
 * its channel up to {@code x} may rejoin when {@code x >= coveredFrom - 1} and nothing of its
 * channel after {@code x} was passed here yet: everything of the channel after {@code x} then
 * comes through here, and anything at or before {@code x} that comes again is dropped by sequence.
 *
 * <p>Used only when the stream captures exactly the prefix's subjects, so that a skip in stream
 * sequences always means messages removed. Threads: messages arrive on the dispatcher's thread;
 * retries run on the I/O lane. Lock order: this, then a subscription.
 */
final class StreamTail {

    private static final System.Logger LOG = System.getLogger(StreamTail.class.getName());

    /** Messages asked for per pull request; the next is sent when half of one is still to come. */
    static final int BATCH = 1024;
    private static final long FIRST_RETRY_MILLIS = 50;
    private static final long LONGEST_RETRY_MILLIS = 1000;

    private final StreamReading reading;
    private final String filter;
    private final String inboxBase;
    // Guarded by this.
    private final Map<String, Channel> channels = new HashMap<>();
    private int generation;
    private io.nats.client.Subscription inbox;
    private String consumer; // reading now, null while none
    private CompletableFuture<Void> ready; // of the consumer being started or running, null before the first join
    private boolean starting;
    private boolean startAgain;
    private long lastSequence; // the last stream sequence passed on
    private long coveredFrom = Long.MAX_VALUE; // every message from here on is passed on
    private int requested; // outstanding in pull requests
    private long lastHeard; // when the server last sent anything for them (nanoTime)
    private long retryMillis = FIRST_RETRY_MILLIS;
    private boolean closed;

    StreamTail(StreamReading reading, String filter) {
        this.reading = reading;
        this.filter = filter;
        this.inboxBase = reading.link().connection().createInbox();
    }

    /** The subscriptions of one subject and the last sequence of it passed on. */
    private static final class Channel {
        final List<StreamSubscription> here = new ArrayList<>(2);
        int open; // subscriptions of the subject, here or reading on their own
        long lastPassed;
    }

    // ---------------------------------------------------------------- subscriptions

    /** A subscription of {@code subject} opened (it reads here or on its own). */
    synchronized void opened(String subject) {
        Channel channel = channels.computeIfAbsent(subject, s -> new Channel());
        if (channel.open++ == 0) {
            // What was passed before anyone listened is unknown: as if all of it were this subject's.
            channel.lastPassed = lastSequence;
        }
    }

    /** A subscription of {@code subject} closed. */
    synchronized void closed(String subject, StreamSubscription subscription) {
        Channel channel = channels.get(subject);
        if (channel != null) {
            channel.here.remove(subscription);
            if (--channel.open <= 0) {
                channels.remove(subject);
            }
        }
    }

    /**
     * Starts {@code subscription} reading here from the live end; completes once this consumer is
     * on the server, after which every message stored reaches the subscription.
     */
    CompletableFuture<Void> join(StreamSubscription subscription) {
        CompletableFuture<Void> running;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the backplane is closing"));
            }
            if (ready == null) {
                start();
            }
            if (consumer != null && !starting) {
                Channel channel = channels.get(subscription.subject());
                if (channel != null && subscription.attach(lastSequence)) {
                    channel.here.add(subscription);
                }
                return CompletableFuture.completedFuture(null);
            }
            running = ready;
        }
        // Started or restarting: join once it reads (a restart at the live end may follow this one).
        return running.thenCompose(ok -> join(subscription));
    }

    /**
     * Called by a subscription reading on its own that has caught up: takes it back here if nothing
     * can fall between the two readings (see the class comment), else it reads on and asks again.
     */
    synchronized void rejoin(StreamSubscription subscription) {
        if (ready == null && !closed) {
            start(); // only replays so far: the next catch-up finds it reading
            return;
        }
        Channel channel = channels.get(subscription.subject());
        if (closed || consumer == null || starting || channel == null) {
            return;
        }
        subscription.attachIfCaughtUp(coveredFrom - 1, channel.lastPassed, () -> channel.here.add(subscription));
    }

    // ---------------------------------------------------------------- the consumer

    /** Starts a consumer at the live end (a first start or a restart that lost continuity). */
    private void start() {
        ready = new CompletableFuture<>();
        startAt(0);
    }

    /** Under the lock: a new generation reading from {@code next} (0: the live end). */
    private void startAt(long next) {
        starting = true;
        int gen = newGeneration();
        if (gen < 0) {
            starting = false;
            later(this::resume, nextRetry());
            return;
        }
        String name = PullConsumers.newName();
        PullConsumers.create(reading, name, filter, next)
                .thenAccept(info -> created(gen, name, next, info))
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.log(System.Logger.Level.DEBUG, "starting the stream's shared consumer failed; retrying",
                                error);
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

    private void created(int gen, String name, long next, ConsumerInfo info) {
        boolean again;
        CompletableFuture<Void> nowReady;
        synchronized (this) {
            if (gen != generation || closed) {
                PullConsumers.delete(reading, name);
                return;
            }
            consumer = name;
            starting = false;
            again = startAgain;
            startAgain = false;
            retryMillis = FIRST_RETRY_MILLIS;
            if (next == 0) {
                lastSequence = info.getDelivered().getStreamSequence();
                coveredFrom = lastSequence + 1;
            }
            nowReady = ready;
            pull();
        }
        nowReady.complete(null);
        if (again) {
            resume();
        }
    }

    /**
     * After a reconnect or the consumer's end: reads on right after the last sequence passed if the
     * stream still holds what follows it; else every subscription here leaves for a consumer of its
     * own (which reports what the stream lost) and this one starts again at the live end.
     */
    void resume() {
        int gen;
        synchronized (this) {
            if (closed || ready == null) {
                return;
            }
            if (starting) {
                startAgain = true;
                return;
            }
            starting = true;
            if (ready.isDone()) {
                ready = new CompletableFuture<>(); // joins wait for the consumer that follows
            }
            gen = generation;
        }
        reading.streamInfo().after(System.nanoTime()).whenComplete((info, error) -> {
            synchronized (this) {
                if (gen != generation || closed) {
                    return;
                }
                if (error != null) {
                    starting = false;
                    later(this::resume, nextRetry());
                    return;
                }
                if (holdsAfter(info, lastSequence)) {
                    startAt(lastSequence + 1);
                } else {
                    sendAllAway();
                    startAt(0);
                }
            }
        });
    }

    /** Whether the stream still holds everything after {@code sequence} (or nothing was stored since). */
    private static boolean holdsAfter(StreamInfo info, long sequence) {
        StreamState state = info.getStreamState();
        return state.getLastSequence() >= sequence
                && (state.getMsgCount() == 0 || state.getFirstSequence() <= sequence + 1);
    }

    /** Under the lock: every subscription here reads on its own, checking what the stream still holds. */
    private void sendAllAway() {
        for (Channel channel : channels.values()) {
            for (StreamSubscription subscription : channel.here) {
                subscription.readOnItsOwn(true);
            }
            channel.here.clear();
        }
        coveredFrom = Long.MAX_VALUE;
    }

    /** Under the lock: drops the old inbox and consumer; the new generation, or -1 if the inbox was refused. */
    private int newGeneration() {
        generation++;
        int gen = generation;
        if (inbox != null) {
            PullConsumers.unsubscribe(reading, inbox);
            inbox = null;
        }
        if (consumer != null) {
            PullConsumers.delete(reading, consumer);
            consumer = null;
        }
        requested = 0;
        try {
            inbox = reading.dispatcher().subscribe(inboxBase + "." + gen, message -> onMessage(gen, message));
            return gen;
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    /** Under the lock: keeps between half a batch and a batch and a half asked for. */
    private void pull() {
        if (closed || consumer == null || requested >= BATCH / 2) {
            return;
        }
        try {
            reading.link().connection().publish("$JS.API.CONSUMER.MSG.NEXT." + reading.stream() + "." + consumer,
                    inboxBase + "." + generation, PullConsumers.pullRequest(BATCH));
            if (requested <= 0) {
                lastHeard = System.nanoTime();
            }
            requested += BATCH;
        } catch (IllegalStateException e) {
            // Disconnected (the reconnect resumes) or the client's queue stayed busy: the liveness check asks again.
        }
    }

    /**
     * Called periodically, a safety net: a consumer with too little asked for asks again; one whose
     * requests have been silent past their heartbeats (its server died) is replaced.
     */
    void pullIfIdle() {
        synchronized (this) {
            if (closed || starting || consumer == null) {
                return;
            }
            if (requested <= 0 || System.nanoTime() - lastHeard < PullConsumers.SILENCE.toNanos()) {
                pull();
                return;
            }
            requested = 0;
        }
        LOG.log(System.Logger.Level.DEBUG, "the shared consumer's pull requests went silent; starting a new one");
        resume();
    }

    /** On the dispatcher's thread. */
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
                    return;
                }
                requested = 0;
                if (code == 408 || code == 404) {
                    pull();
                    return;
                }
                LOG.log(System.Logger.Level.DEBUG, "the stream''s shared consumer ended: {0}; starting a new one",
                        message.getStatus());
                restart = true;
            } else {
                pass(message);
            }
        }
        if (restart) {
            resume();
        }
    }

    /** Under the lock. */
    private void pass(Message message) {
        requested--;
        long sequence = JetStreamReplies.delivered(message).streamSequence();
        if (sequence <= lastSequence) {
            return; // from before a restart at the last sequence
        }
        if (sequence > lastSequence + 1 && coveredFrom <= lastSequence + 1) {
            // Retention removed messages this consumer had not read: whose, only the subscriptions can tell.
            LOG.log(System.Logger.Level.DEBUG, "stream sequences {0} to {1} were removed before the shared consumer "
                    + "read them; its subscriptions check their channels on their own", lastSequence + 1, sequence - 1);
            sendAllAway();
        }
        if (coveredFrom == Long.MAX_VALUE) {
            coveredFrom = sequence;
        }
        lastSequence = sequence;
        Channel channel = channels.get(message.getSubject());
        if (channel != null) {
            channel.lastPassed = sequence;
            if (!channel.here.isEmpty()) {
                byte[] data = message.getData();
                byte[] payload = data == null ? new byte[0] : data;
                channel.here.removeIf(subscription -> !subscription.offer(sequence, payload));
            }
        }
        pull();
    }

    // ---------------------------------------------------------------- helpers, closing

    private synchronized long nextRetry() {
        long pause = retryMillis;
        retryMillis = Math.min(LONGEST_RETRY_MILLIS, retryMillis * 2);
        return pause;
    }

    private void later(Runnable task, long millis) {
        LaterOnIo.run(reading.scheduler(), reading.io(), millis, TimeUnit.MILLISECONDS, task);
    }


    /** Whether the consumer is on the server now, for the module's tests. */
    synchronized boolean reading() {
        return consumer != null && !starting;
    }

    /** How many subscriptions read here now, for the module's tests. */
    synchronized int subscriptionsHere() {
        return channels.values().stream().mapToInt(c -> c.here.size()).sum();
    }

    synchronized void close() {
        closed = true;
        generation++;
        if (inbox != null) {
            PullConsumers.unsubscribe(reading, inbox);
            inbox = null;
        }
        if (consumer != null) {
            try {
                PullConsumers.delete(reading, consumer);
            } catch (RuntimeException e) {
                // the connection is closing: the server drops the consumer after its inactive threshold
            }
            consumer = null;
        }
        channels.clear();
        if (ready != null) {
            ready.completeExceptionally(new IllegalStateException("the backplane is closing"));
        }
    }
}
