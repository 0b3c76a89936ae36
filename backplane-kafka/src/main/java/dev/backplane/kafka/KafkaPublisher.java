package dev.backplane.kafka;

import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Publishes through one Kafka producer without ever blocking the caller.
 *
 * <p>The producer is configured never to block ({@code max.block.ms=0}): a record whose topic the
 * producer knows goes straight into its buffer, which is the outbox while the broker is down, and
 * its future completes from the producer's acknowledgement or fails when the delivery timeout
 * (half of {@code publishTimeout}) runs out. A record whose topic is not ready yet
 * (not created, or not in the producer's metadata) waits in a per-topic queue, in order, while the
 * topic is prepared off the caller's thread; it is sent only if the delivery timeout still fits
 * in its publish timeout, and fails unsent otherwise. So every future completes within
 * {@code publishTimeout}, and a failure never hides a message the broker acknowledged.
 */
final class KafkaPublisher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KafkaPublisher.class.getName());
    private static final Duration METADATA_PROBE_INTERVAL = Duration.ofMillis(10);

    private final Producer<String, byte[]> producer;
    private final KafkaSettings settings;
    private final TopicAdmin topics;
    private final KafkaErrors errors;
    private final ScheduledExecutorService timer;
    private final Completer completer;
    private final long publishTimeoutNanos;
    private final long deliveryTimeoutNanos;
    private final byte[] prefixHeader;
    private final Map<String, TopicGate> gates = new ConcurrentHashMap<>();
    private final AtomicLong waitingBytes = new AtomicLong();
    private volatile boolean closed;

    KafkaPublisher(Producer<String, byte[]> producer, KafkaSettings settings, TopicAdmin topics, KafkaErrors errors,
            ScheduledExecutorService timer, Completer completer, Duration deliveryTimeout) {
        this.producer = producer;
        this.settings = settings;
        this.topics = topics;
        this.errors = errors;
        this.timer = timer;
        this.completer = completer;
        this.publishTimeoutNanos = settings.config.publishTimeout().toNanos();
        this.deliveryTimeoutNanos = deliveryTimeout.toNanos();
        this.prefixHeader = settings.config.prefix().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Makes {@code topic} ready to publish to, waiting at most {@code timeout}: used when the
     * backplane opens, so that the first publish to the shared topic goes straight through.
     */
    CompletableFuture<Void> prepare(String topic, Duration timeout) {
        TopicGate gate = gates.computeIfAbsent(topic, TopicGate::new);
        long deadline = System.nanoTime() + timeout.toNanos();
        return topics.ensure(topic, timeout)
                .thenApply(TopicAdmin.TopicInfo::partitions)
                .thenCompose(count -> awaitMetadata(topic, count, deadline).thenApply(ignored -> count))
                .thenAccept(count -> {
                    synchronized (gate) {
                        gate.partitions = count;
                    }
                });
    }

    /** Publishes; the future completes with the record's offset once the broker acknowledged it. */
    CompletableFuture<Position> publish(String channel, byte[] payload) {
        Outgoing out = new Outgoing(channel, settings.mapping.topic(channel), payload, System.nanoTime() + publishTimeoutNanos);
        TopicGate gate = gates.computeIfAbsent(out.topic, TopicGate::new);
        synchronized (gate) {
            if (gate.ready() && gate.waiting.isEmpty() && send(out, gate)) {
                return out.future;
            }
            park(gate, out);
        }
        return out.future;
    }

    /** Fails every message still waiting for its topic, then closes the producer, which completes or fails what it holds. */
    @Override
    public void close() {
        closed = true;
        for (TopicGate gate : gates.values()) {
            synchronized (gate) {
                for (Outgoing out : gate.waiting) {
                    out.cancelExpiry();
                    fail(out, new BackplaneException("the backplane was closed before the message to channel '"
                            + out.channel + "' could be sent; it was not published"));
                }
                gate.waiting.clear();
            }
        }
        try {
            producer.close(Duration.ofNanos(publishTimeoutNanos));
        } catch (KafkaException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the Kafka producer failed", e);
        }
    }

    /**
     * Hands {@code out} to the producer. Returns false, leaving {@code out} untouched, if the
     * producer does not have the topic's metadata (then the gate must prepare the topic again).
     * Called with the gate's lock held, which keeps one topic's records in call order.
     */
    private boolean send(Outgoing out, TopicGate gate) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(out.topic,
                TopicMapping.partition(out.channel, gate.partitions), null, out.channel, out.payload,
                List.of(new RecordHeader(KafkaBackplane.PREFIX_HEADER, prefixHeader),
                        new RecordHeader(KafkaBackplane.CHANNEL_HEADER, out.channel.getBytes(StandardCharsets.UTF_8))));
        out.sendingThread = Thread.currentThread();
        try {
            producer.send(record, (metadata, error) -> onResult(out, metadata, error));
        } catch (KafkaException | IllegalStateException e) {
            // The producer is closed or refuses the record outright.
            fail(out, errors.publish(out.channel, out.topic, e));
        } finally {
            out.sendingThread = null;
        }
        if (out.metadataMissing) {
            out.metadataMissing = false;
            gate.partitions = 0;
            return false;
        }
        return true;
    }

    private void onResult(Outgoing out, RecordMetadata metadata, Exception error) {
        if (error != null && Thread.currentThread() == out.sendingThread) {
            // Refused inside send(), before the record reached the producer's buffer: not sent.
            if (error instanceof TimeoutException && !(error instanceof BufferExhaustedException)) {
                out.metadataMissing = true;
            } else {
                fail(out, errors.publish(out.channel, out.topic, error));
            }
            return;
        }
        if (error != null) {
            fail(out, errors.publish(out.channel, out.topic, error));
        } else {
            Position position = KafkaBackplane.position(metadata.offset());
            completer.complete(out.future, position);
        }
    }

    /** Queues {@code out} behind its topic's preparation. Called with the gate's lock held. */
    private void park(TopicGate gate, Outgoing out) {
        if (closed) {
            fail(out, new BackplaneException("the backplane is closed; the message to channel '" + out.channel
                    + "' was not published"));
            return;
        }
        long size = out.payload.length;
        if (waitingBytes.addAndGet(size) > settings.outboxBytes) {
            waitingBytes.addAndGet(-size);
            fail(out, errors.outboxFull(out.channel));
            return;
        }
        // The caller may reuse its array once publish returns.
        out.payload = out.payload.clone();
        gate.waiting.add(out);
        out.expiry = timer.schedule(() -> expire(gate, out), out.deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (!gate.preparing) {
            startPreparing(gate);
        }
    }

    private void startPreparing(TopicGate gate) {
        gate.preparing = true;
        long deadline = System.nanoTime() + publishTimeoutNanos;
        Duration timeout = Duration.ofNanos(publishTimeoutNanos);
        topics.ensure(gate.topic, timeout)
                .thenApply(TopicAdmin.TopicInfo::partitions)
                .thenCompose(count -> awaitMetadata(gate.topic, count, deadline).thenApply(ignored -> count))
                .whenComplete((count, error) -> prepared(gate, count, error));
    }

    private void prepared(TopicGate gate, Integer count, Throwable error) {
        synchronized (gate) {
            gate.preparing = false;
            if (error != null) {
                Throwable cause = TopicAdmin.unwrap(error);
                for (Outgoing out : gate.waiting) {
                    unpark(out);
                    fail(out, errors.publish(out.channel, out.topic, cause));
                }
                gate.waiting.clear();
                return;
            }
            gate.partitions = count;
            drain(gate);
        }
    }

    /** Sends the waiting records of a topic that just became ready, in order. Called with the gate's lock held. */
    private void drain(TopicGate gate) {
        while (!gate.waiting.isEmpty()) {
            Outgoing out = gate.waiting.peek();
            if (out.deadline - System.nanoTime() < deliveryTimeoutNanos) {
                // The producer could take longer than the publish timeout allows: fail it unsent.
                gate.waiting.poll();
                unpark(out);
                fail(out, new BrokerUnavailableException("topic '" + out.topic + "' on Kafka at " + settings.brokers()
                        + " was not ready in time for the message to channel '" + out.channel
                        + "' to be sent within " + settings.config.publishTimeout()
                        + " (publishTimeout); it was not published"));
                continue;
            }
            if (!send(out, gate)) {
                startPreparing(gate);
                return;
            }
            gate.waiting.poll();
            unpark(out);
        }
    }

    private void expire(TopicGate gate, Outgoing out) {
        synchronized (gate) {
            if (gate.waiting.remove(out)) {
                waitingBytes.addAndGet(-out.payload.length);
                fail(out, new BrokerUnavailableException("topic '" + out.topic + "' on Kafka at " + settings.brokers()
                        + " could not be made ready within " + settings.config.publishTimeout()
                        + " (publishTimeout); the message to channel '" + out.channel + "' was not published"));
            }
        }
    }

    private void unpark(Outgoing out) {
        out.cancelExpiry();
        waitingBytes.addAndGet(-out.payload.length);
    }

    /**
     * Completes once the producer's metadata has {@code partitions} partitions of the topic; asks
     * for them without blocking, every few milliseconds.
     */
    private CompletableFuture<Void> awaitMetadata(String topic, int partitions, long deadline) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        probeMetadata(topic, partitions, deadline, ready);
        return ready;
    }

    private void probeMetadata(String topic, int partitions, long deadline, CompletableFuture<Void> ready) {
        TimeoutException missing;
        try {
            // With max.block.ms=0 this returns at once: the partitions, or a timeout after asking for them.
            // Fewer partitions than the broker has means stale metadata, which a refused send has asked to renew.
            int known = producer.partitionsFor(topic).size();
            if (known >= partitions) {
                ready.complete(null);
                return;
            }
            missing = new TimeoutException("the producer knows " + known + " of the " + partitions + " partitions of topic '" + topic + "'");
        } catch (TimeoutException e) {
            missing = e;
        } catch (KafkaException e) {
            ready.completeExceptionally(errors.topicLookup(topic, "read the metadata of", e, Duration.ofNanos(publishTimeoutNanos)));
            return;
        }
        if (System.nanoTime() - deadline >= 0 || closed) {
            ready.completeExceptionally(errors.unreachable("waiting for the metadata of topic '" + topic + "'",
                    Duration.ofNanos(publishTimeoutNanos), missing));
            return;
        }
        try {
            timer.schedule(() -> probeMetadata(topic, partitions, deadline, ready), METADATA_PROBE_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            ready.completeExceptionally(new BackplaneException("the backplane was closed", closing));
        }
    }

    private void fail(Outgoing out, Throwable error) {
        completer.fail(out.future, error);
    }

    /** The publishing state of one topic. Guarded by itself. */
    private static final class TopicGate {
        final String topic;
        final ArrayDeque<Outgoing> waiting = new ArrayDeque<>();
        // The topic's partition count once it is ready to be sent to; 0 until then.
        int partitions;
        boolean preparing;

        TopicGate(String topic) {
            this.topic = topic;
        }

        boolean ready() {
            return partitions > 0 && !preparing;
        }
    }

    /** One publish on its way. */
    private static final class Outgoing {
        final String channel;
        final String topic;
        final long deadline;
        final CompletableFuture<Position> future = new CompletableFuture<>();
        byte[] payload;
        ScheduledFuture<?> expiry;
        // Set around producer.send(): a callback on this thread means the producer refused the record there.
        volatile Thread sendingThread;
        volatile boolean metadataMissing;

        Outgoing(String channel, String topic, byte[] payload, long deadline) {
            this.channel = channel;
            this.topic = topic;
            this.payload = payload;
            this.deadline = deadline;
        }

        void cancelExpiry() {
            if (expiry != null) {
                expiry.cancel(false);
            }
        }
    }
}
