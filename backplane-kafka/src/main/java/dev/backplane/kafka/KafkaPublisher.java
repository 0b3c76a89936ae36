package dev.backplane.kafka;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.Position;
import dev.backplane.spi.Completions;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.PendingPublish;
import dev.backplane.spi.PublishOutbox;
import dev.backplane.spi.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Publishes through one Kafka producer, from one thread of its own, without ever blocking the caller.
 *
 * <p>{@link #publish} puts the message in the backplane's {@link PublishOutbox}, which bounds what
 * waits ({@code maxPendingPublishes}, {@code outboxBytes}), keeps each publish's deadline
 * ({@code publishTimeout} from its call) and completes futures on the callback executor. The
 * publisher thread takes the publishes in call order and hands each to the producer once
 * <ul>
 *   <li>its topic is ready: it exists (or was created) and the producer has its metadata, which
 *       may take a moment after the topic was created or the broker restarted; until then the
 *       topic's publishes wait, in order, each until its own deadline;</li>
 *   <li>its partition's {@link Lane} lets it through: while the broker acknowledges, every publish
 *       goes straight on; once it has acknowledged nothing for a while (the broker is down or
 *       unreachable), later publishes are held back here and one at a time is handed over to find
 *       out when it is back; the first acknowledgement lets all of them through, in order.</li>
 * </ul>
 * Holding back is what keeps the outcome of a failed publish exact: one never handed to the
 * producer surely was not published and fails with {@link dev.backplane.BrokerUnavailableException};
 * one handed over may have been sent and fails with
 * {@link dev.backplane.PublishOutcomeUnknownException} (see {@link KafkaErrors#afterHandOver}).
 *
 * <p>The producer holds a record for at most {@code publishTimeout} ({@code delivery.timeout.ms}),
 * so it never retries a record much beyond its caller's deadline. Its callbacks run on its I/O
 * thread and only settle publishes through the outbox and wake this thread.
 */
final class KafkaPublisher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KafkaPublisher.class.getName());
    /** How often the thread asks the producer for the metadata of a topic it waits for. */
    private static final long METADATA_PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How soon a topic whose look-up failed (broker unreachable) is looked up again while publishes wait for it. */
    private static final long LOOKUP_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How often a full producer buffer is tried again, in case no acknowledgement comes to say it has room. */
    private static final long BUFFER_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Producer<String, byte[]> producer;
    private final KafkaSettings settings;
    private final TopicAdmin topicAdmin;
    private final KafkaErrors errors;
    private final PublishOutbox outbox;
    private final long publishTimeoutNanos;
    private final long stallNanos;
    private final byte[] prefixHeader;
    private final Thread thread;
    // Work handed to the publisher thread by other threads (topic look-ups that finished, prepare calls).
    private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
    // Publisher thread only.
    private final Map<String, Topic> topics = new HashMap<>();
    // Topics that are not ready while something waits for them.
    private final Set<Topic> unready = new LinkedHashSet<>();
    // Lanes that hold publishes back.
    private final Set<Lane> holding = new LinkedHashSet<>();
    private boolean sending;
    private Exception refusedAtCall;
    // Nothing waits for a topic or in a lane.
    private boolean idle;
    // Set by the publisher thread when it holds publishes back, so that acknowledgements wake it.
    private volatile boolean anyHeld;
    private volatile boolean bufferFull;
    private volatile boolean closing;
    private volatile boolean abandon;
    // Why publishes wait, by what they wait in (a topic, a lane); guarded by itself.
    private final Map<Object, String> troubles = new HashMap<>();
    private volatile boolean reasonShown;

    KafkaPublisher(Producer<String, byte[]> producer, KafkaSettings settings, TopicAdmin topicAdmin, KafkaErrors errors,
            Completions completions, dev.backplane.spi.BackplaneMonitor monitor, String threadName) {
        this.producer = producer;
        this.settings = settings;
        this.topicAdmin = topicAdmin;
        this.errors = errors;
        this.outbox = new PublishOutbox("Kafka at " + settings.brokers(), settings.config, completions,
                settings.config.resources().scheduler(), Ticker.SYSTEM, monitor);
        this.publishTimeoutNanos = settings.config.publishTimeout().toNanos();
        this.stallNanos = stallNanos(settings.config.publishTimeout());
        this.prefixHeader = settings.config.prefix().getBytes(StandardCharsets.UTF_8);
        this.thread = new DaemonThreads(threadName).newThread(this::run);
        thread.start();
    }

    /**
     * How long a partition may leave records unacknowledged before later ones are held back: a
     * quarter of {@code publishTimeout}, between 200 ms and 1 s. Longer than a healthy broker's
     * answer under load, short enough that during an outage few publishes are handed over blind.
     */
    static long stallNanos(Duration publishTimeout) {
        long quarter = publishTimeout.toNanos() / 4;
        return Math.max(TimeUnit.MILLISECONDS.toNanos(200), Math.min(TimeUnit.SECONDS.toNanos(1), quarter));
    }

    /**
     * Makes {@code topic} ready to publish to: used when the backplane opens, so that the first
     * publish to the shared topic goes straight through. Fails as the topic's look-up failed.
     */
    CompletableFuture<Void> prepare(String topic) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        post(() -> {
            Topic t = topic(topic);
            if (t.isReady()) {
                ready.complete(null);
            } else {
                t.listeners.add(ready);
                unready.add(t);
                lookUp(t);
            }
        });
        return ready;
    }

    /**
     * Queues a publish; the future completes with the record's offset once the broker acknowledged
     * it, or fails as described in the class comment.
     */
    CompletableFuture<Position> publish(String channel, byte[] payload) {
        // The caller may overwrite its array once publish returns; the record is built later.
        PendingPublish p = outbox.submit(channel, payload.clone());
        LockSupport.unpark(thread);
        return p.future();
    }

    /**
     * Hands over what can still go within the publish timeout, waits for the producer's answers
     * and fails what is left: at most {@code publishTimeout} in all.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + publishTimeoutNanos;
        closing = true;
        LockSupport.unpark(thread);
        join(deadline);
        if (thread.isAlive()) {
            abandon = true;
            LockSupport.unpark(thread);
            join(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        }
        try {
            producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (KafkaException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the Kafka producer failed", e);
        }
        outbox.close();
    }

    private void join(long deadline) {
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Publishes wait in {@code where} because of {@code why}: the outbox says so in the message of
     * any that expire unsent.
     */
    private void trouble(Object where, String why) {
        synchronized (troubles) {
            troubles.put(where, why);
            reasonShown = true;
            outbox.unavailable(why);
        }
    }

    /**
     * What made publishes wait in {@code where} is over. The last reason stays in force while
     * anything still waits: a publish that waited for it and expires meanwhile still says why.
     */
    private void cleared(Object where) {
        synchronized (troubles) {
            if (troubles.remove(where) != null && !troubles.isEmpty()) {
                outbox.unavailable(troubles.values().iterator().next());
            }
        }
    }

    /** Nothing waits any more: no reason to give. Publisher thread. */
    private void nothingWaits() {
        if (!reasonShown) {
            return;
        }
        synchronized (troubles) {
            if (troubles.isEmpty()) {
                reasonShown = false;
                outbox.unavailable(null);
            }
        }
    }

    private void post(Runnable event) {
        events.add(event);
        LockSupport.unpark(thread);
    }

    // ------------------------------------------------------------------ publisher thread

    private void run() {
        long lastFailure = 0;
        while (!abandon) {
            try {
                for (Runnable event; (event = events.poll()) != null; ) {
                    event.run();
                }
                for (PendingPublish p; (p = outbox.poll()) != null; ) {
                    route(p);
                }
                long wait = pumpWaiting();
                if (closing && idle && outbox.nothingQueued()) {
                    return;
                }
                LockSupport.parkNanos(this, closing ? Math.min(wait, METADATA_PROBE_NANOS) : wait);
            } catch (RuntimeException | Error e) {
                // A bug must not stop publishing for good: the publish at hand expires, the others go on.
                long now = System.nanoTime();
                if (lastFailure == 0 || now - lastFailure > TimeUnit.SECONDS.toNanos(10)) {
                    LOG.log(System.Logger.Level.ERROR, "the Kafka publisher failed; it goes on", e);
                }
                lastFailure = now;
                LockSupport.parkNanos(this, LOOKUP_RETRY_NANOS);
            }
        }
    }

    private Topic topic(String name) {
        return topics.computeIfAbsent(name, Topic::new);
    }

    private void route(PendingPublish p) {
        Topic t = topic(settings.mapping.topic(p.channel()));
        if (t.isReady() && t.waiting.isEmpty()) {
            t.lane(p.channel()).offer(p);
        } else {
            t.waiting.add(p);
            unready.add(t);
            lookUp(t);
        }
    }

    /**
     * Hands over what waits and may go now; returns how long the thread may sleep before it must
     * look again if nothing wakes it.
     */
    private long pumpWaiting() {
        long wait = IDLE_NANOS;
        boolean needed = false;
        long now = System.nanoTime();
        for (Topic t : new ArrayList<>(unready)) {
            if (t.isReady() || !t.isNeeded()) {
                unready.remove(t); // ready, or everything that waited for it expired
                continue;
            }
            needed = true;
            if (t.state == TopicState.AWAITING_METADATA) {
                probeMetadata(t);
                if (t.state == TopicState.AWAITING_METADATA) {
                    wait = Math.min(wait, METADATA_PROBE_NANOS);
                }
            } else if (t.state == TopicState.UNKNOWN) {
                if (now - t.retryAt >= 0) {
                    lookUp(t);
                } else {
                    wait = Math.min(wait, t.retryAt - now);
                }
            }
        }
        if (!holding.isEmpty()) {
            // Set before pumping: an answer that comes after the pump looked at a lane then wakes this thread.
            anyHeld = true;
            for (Lane lane : new ArrayList<>(holding)) {
                lane.pump();
            }
            if (bufferFull) {
                wait = Math.min(wait, BUFFER_RETRY_NANOS);
            }
        }
        anyHeld = !holding.isEmpty();
        idle = !needed && holding.isEmpty();
        if (idle) {
            nothingWaits();
        }
        return wait;
    }

    private void hold(Lane lane) {
        holding.add(lane);
        anyHeld = true;
    }

    /** Looks the topic up (creating it if allowed), unless that is under way or the topic is ready. */
    private void lookUp(Topic t) {
        if (t.state != TopicState.UNKNOWN || System.nanoTime() - t.retryAt < 0) {
            return;
        }
        t.state = TopicState.LOOKING_UP;
        topicAdmin.ensure(t.name, settings.config.publishTimeout())
                .whenComplete((info, error) -> post(() -> lookedUp(t, info, error)));
    }

    private void lookedUp(Topic t, TopicAdmin.TopicInfo info, Throwable error) {
        if (error == null) {
            t.partitionsExpected = info.partitions();
            t.state = TopicState.AWAITING_METADATA;
            probeMetadata(t);
            return;
        }
        Throwable cause = TopicAdmin.unwrap(error);
        RuntimeException failure = cause instanceof BackplaneException known ? known
                : errors.topicLookup(t.name, "look up", cause, settings.config.publishTimeout());
        t.state = TopicState.UNKNOWN;
        t.retryAt = System.nanoTime() + LOOKUP_RETRY_NANOS;
        t.failListeners(failure);
        if (failure instanceof BackplaneConfigurationException) {
            // Missing topic, permission, policy: the same answer would come again for each of them.
            for (PendingPublish p; (p = t.waiting.poll()) != null; ) {
                outbox.fail(p, failure);
            }
            for (Lane lane : t.lanes) {
                for (PendingPublish p; (p = lane.waiting.poll()) != null; ) {
                    outbox.fail(p, failure);
                }
            }
        } else {
            // The broker did not answer: they wait, each until its own deadline, and the look-up is tried again.
            trouble(t, "topic '" + t.name + "' could not be looked up: " + failure.getMessage());
        }
    }

    private void probeMetadata(Topic t) {
        int known;
        try {
            // With max.block.ms=0 this returns at once: the partitions, or a timeout after asking for them.
            known = producer.partitionsFor(t.name).size();
        } catch (TimeoutException e) {
            known = 0;
        } catch (KafkaException e) {
            lookedUp(t, null, errors.topicLookup(t.name, "read the metadata of", e, settings.config.publishTimeout()));
            return;
        }
        // Fewer partitions than the broker has means stale metadata, which a refused send has asked to renew.
        if (known < t.partitionsExpected) {
            trouble(t, "the Kafka producer has no metadata for topic '" + t.name + "' from " + settings.brokers()
                    + " yet (the broker is starting, restarting or unreachable)");
            return;
        }
        cleared(t);
        t.ready(t.partitionsExpected);
        for (PendingPublish p; (p = t.waiting.poll()) != null; ) {
            t.lane(p.channel()).offer(p);
        }
    }

    private ProducerRecord<String, byte[]> record(Lane lane, PendingPublish p) {
        return new ProducerRecord<>(lane.topic.name, lane.partition, null, p.channel(), p.payload(),
                List.of(new RecordHeader(KafkaBackplane.PREFIX_HEADER, prefixHeader),
                        new RecordHeader(KafkaBackplane.CHANNEL_HEADER, p.channel().getBytes(StandardCharsets.UTF_8))));
    }

    /** What became of a hand-over. */
    private enum HandOver { SENT, SETTLED, REFUSED_FULL, REFUSED_NO_METADATA }

    private HandOver handOver(Lane lane, PendingPublish p) {
        if (!outbox.markWritten(p)) {
            return HandOver.SETTLED; // expired while it waited
        }
        ProducerRecord<String, byte[]> record = record(lane, p);
        lane.handingOver();
        sending = true;
        refusedAtCall = null;
        try {
            producer.send(record, (metadata, error) -> completed(lane, p, metadata, error));
        } catch (KafkaException | IllegalStateException e) {
            refusedAtCall = e; // the producer is closed, or refused the record outright
        } finally {
            sending = false;
        }
        Exception refused = refusedAtCall;
        if (refused == null) {
            return HandOver.SENT;
        }
        lane.refused();
        if (refused instanceof BufferExhaustedException) {
            // buffer.memory is full of records the producer still holds: wait for room, not sent.
            bufferFull = true;
            return outbox.notWritten(p) ? HandOver.REFUSED_FULL : HandOver.SETTLED;
        }
        if (refused instanceof TimeoutException) {
            // The producer lost the topic's metadata: wait for it again, not sent.
            lane.topic.state = TopicState.AWAITING_METADATA;
            unready.add(lane.topic);
            return outbox.notWritten(p) ? HandOver.REFUSED_NO_METADATA : HandOver.SETTLED;
        }
        outbox.notWritten(p);
        outbox.fail(p, errors.refusedAtHandOver(p.channel(), lane.topic.name, refused));
        return HandOver.SETTLED;
    }

    /** The producer's answer; on its I/O thread, or on the publisher thread for a record refused at the call. */
    private void completed(Lane lane, PendingPublish p, RecordMetadata metadata, Exception error) {
        if (Thread.currentThread() == thread && sending) {
            refusedAtCall = error;
            return;
        }
        boolean healthy = error == null;
        if (healthy) {
            outbox.succeed(p, KafkaBackplane.position(metadata.offset()));
        } else {
            outbox.fail(p, errors.afterHandOver(p.channel(), lane.topic.name, lane.partition, error));
        }
        lane.answered(healthy || KafkaErrors.isRefusal(error));
        bufferFull = false;
        if (anyHeld) {
            LockSupport.unpark(thread);
        }
    }

    private enum TopicState { UNKNOWN, LOOKING_UP, AWAITING_METADATA, READY }

    /** One topic as the publisher sees it. Publisher thread only. */
    private final class Topic {
        final String name;
        // Publishes taken from the outbox before the topic was ready, in call order.
        final ArrayDeque<PendingPublish> waiting = new ArrayDeque<>();
        final List<CompletableFuture<Void>> listeners = new ArrayList<>();
        TopicState state = TopicState.UNKNOWN;
        int partitionsExpected;
        long retryAt = System.nanoTime();
        Lane[] lanes = new Lane[0];

        Topic(String name) {
            this.name = name;
        }

        boolean isReady() {
            return state == TopicState.READY;
        }

        /** Whether someone still waits for this topic (publishes that expired meanwhile do not count). */
        boolean isNeeded() {
            listeners.removeIf(CompletableFuture::isDone);
            waiting.removeIf(PendingPublish::isSettled);
            if (!waiting.isEmpty() || !listeners.isEmpty()) {
                return true;
            }
            for (Lane lane : lanes) {
                lane.waiting.removeIf(PendingPublish::isSettled);
                if (!lane.waiting.isEmpty()) {
                    return true;
                }
            }
            return false;
        }

        void ready(int partitions) {
            if (lanes.length != partitions) {
                Lane[] grown = new Lane[partitions];
                for (int i = 0; i < partitions; i++) {
                    grown[i] = i < lanes.length ? lanes[i] : new Lane(this, i);
                }
                lanes = grown;
            }
            state = TopicState.READY;
            for (CompletableFuture<Void> listener : listeners) {
                listener.complete(null);
            }
            listeners.clear();
            for (Lane lane : lanes) {
                if (!lane.waiting.isEmpty()) {
                    hold(lane);
                }
            }
        }

        void failListeners(RuntimeException failure) {
            for (CompletableFuture<Void> listener : listeners) {
                listener.completeExceptionally(failure);
            }
            listeners.clear();
        }

        Lane lane(String channel) {
            return lanes[TopicMapping.partition(channel, lanes.length)];
        }
    }

    /**
     * The publishes of one partition. While the broker acknowledges them, each is handed over at
     * once. Once records handed over have gone unacknowledged for {@link #stallNanos}, or one
     * failed for want of an answer, the lane is <em>suspect</em>: later publishes wait here and
     * only one at a time is handed over, as a probe, until an acknowledgement comes.
     *
     * <p>{@code waiting} belongs to the publisher thread; the counters are also updated by the
     * producer's I/O thread.
     */
    private final class Lane {
        final Topic topic;
        final int partition;
        final ArrayDeque<PendingPublish> waiting = new ArrayDeque<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean suspect;

        Lane(Topic topic, int partition) {
            this.topic = topic;
            this.partition = partition;
        }

        void offer(PendingPublish p) {
            if (waiting.isEmpty() && mayHandOver()) {
                HandOver result = handOver(this, p);
                if (result == HandOver.SENT || result == HandOver.SETTLED) {
                    return;
                }
            }
            waiting.add(p);
            hold(this);
        }

        /** Hands over what waits, in order, as far as the lane lets it. */
        void pump() {
            if (!topic.isReady()) {
                waiting.removeIf(PendingPublish::isSettled);
                if (waiting.isEmpty()) {
                    holding.remove(this); // everything in it expired while the topic was not ready
                }
                return;
            }
            while (!waiting.isEmpty()) {
                PendingPublish head = waiting.peek();
                if (head.isSettled()) {
                    waiting.poll();
                    continue;
                }
                if (!mayHandOver()) {
                    return;
                }
                waiting.poll();
                HandOver result = handOver(this, head);
                if (result == HandOver.REFUSED_FULL || result == HandOver.REFUSED_NO_METADATA) {
                    waiting.addFirst(head);
                    return;
                }
            }
            holding.remove(this);
        }

        private boolean mayHandOver() {
            if (bufferFull) {
                return false;
            }
            if (inFlight.get() == 0) {
                return true; // nothing unanswered: the next one goes (as a probe, if the lane is suspect)
            }
            if (suspect) {
                return false;
            }
            if (System.nanoTime() - lastProgress > stallNanos) {
                suspect = true;
                trouble(this, "Kafka at " + settings.brokers() + " stopped acknowledging publishes to topic '"
                        + topic.name + "' (it is down, unreachable or overloaded), so later ones were held back");
                return false;
            }
            return true;
        }

        void handingOver() {
            if (inFlight.getAndIncrement() == 0) {
                lastProgress = System.nanoTime();
            }
        }

        void refused() {
            inFlight.decrementAndGet();
        }

        /** @param progress whether the broker answered (an acknowledgement or a definite refusal) */
        void answered(boolean progress) {
            if (progress) {
                lastProgress = System.nanoTime();
                if (suspect) {
                    suspect = false;
                    cleared(this);
                }
            } else if (!suspect) {
                suspect = true;
                trouble(this, "Kafka at " + settings.brokers() + " did not acknowledge publishes to topic '"
                        + topic.name + "' in time (it is down, unreachable or overloaded), so later ones were held back");
            }
            inFlight.decrementAndGet();
        }
    }
}
