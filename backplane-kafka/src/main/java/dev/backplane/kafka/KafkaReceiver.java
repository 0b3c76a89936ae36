package dev.backplane.kafka;

import dev.backplane.Gap;
import dev.backplane.Position;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;

/**
 * Reads every partition that holds a subscribed channel with one consumer and hands each record
 * to the subscriptions of its channel.
 *
 * <p>Broadcast: the consumer belongs to no consumer group. It is {@linkplain Consumer#assign
 * assigned} the partitions it needs and positioned by offset, so every backplane instance reads
 * every record of the channels it subscribes to. Its positions live in memory: after a broker
 * restart the client reconnects by itself and reads on from where it was, so nothing the broker
 * accepted is missed.
 *
 * <p>The consumer is not thread-safe, so one thread owns it; other threads hand it commands and
 * {@linkplain Consumer#wakeup wake} it.
 */
final class KafkaReceiver implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KafkaReceiver.class.getName());
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration IDLE = Duration.ofMillis(200);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);
    /** Deliveries queued for one subscription beyond which its partition is paused, until half as many are left. */
    static final int MAX_BACKLOG = 10_000;

    private final Consumer<String, byte[]> consumer;
    private final byte[] prefix;
    private final Duration lookupTimeout;
    private final int maxBacklog;
    private final BlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final Thread thread;
    // Poll thread only.
    private final Map<TopicPartition, Map<String, List<KafkaSubscription>>> readers = new HashMap<>();
    private volatile boolean closed;
    private long lastWarning;

    KafkaReceiver(Consumer<String, byte[]> consumer, String prefix, Duration lookupTimeout, int maxBacklog,
            String threadName) {
        this.consumer = consumer;
        this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        this.lookupTimeout = lookupTimeout;
        this.maxBacklog = maxBacklog;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts {@code subscription} at {@code offset} of its partition. The future completes once
     * the consumer will hand it every record of its channel from that offset on.
     */
    CompletableFuture<Void> add(KafkaSubscription subscription, long offset) {
        CompletableFuture<Void> added = new CompletableFuture<>();
        submit(() -> {
            TopicPartition partition = subscription.partition();
            subscription.startAt(offset);
            Map<String, List<KafkaSubscription>> channels = readers.get(partition);
            if (channels == null) {
                readers.put(partition, channels = new HashMap<>());
                consumer.assign(readers.keySet());
                consumer.seek(partition, offset);
            } else if (offset < position(partition)) {
                // Read the partition again from there; subscriptions that are further on skip what they had.
                consumer.seek(partition, offset);
            }
            channels.computeIfAbsent(subscription.channel(), c -> new ArrayList<>()).add(subscription);
            added.complete(null);
        }, added);
        return added;
    }

    /** Stops handing records to {@code subscription}; its partition is released when no subscription needs it. */
    void remove(KafkaSubscription subscription) {
        submit(() -> {
            TopicPartition partition = subscription.partition();
            Map<String, List<KafkaSubscription>> channels = readers.get(partition);
            if (channels == null) {
                return;
            }
            List<KafkaSubscription> list = channels.get(subscription.channel());
            if (list != null && list.remove(subscription) && list.isEmpty()) {
                channels.remove(subscription.channel());
            }
            if (channels.isEmpty()) {
                readers.remove(partition);
                consumer.assign(readers.keySet());
            }
        }, null);
    }

    /** The consumer's position in {@code partition}, or the largest offset if it has none now. */
    private long position(TopicPartition partition) {
        try {
            return consumer.position(partition, Duration.ZERO);
        } catch (KafkaException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Work for the poll thread; {@code future}, if any, fails if the work fails or never runs. */
    private record Command(Runnable action, CompletableFuture<?> future) {
        void run() {
            try {
                action.run();
            } catch (RuntimeException e) {
                if (future != null) {
                    future.completeExceptionally(e);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "a Kafka consumer command failed", e);
                }
            }
        }

        void abandon() {
            if (future != null) {
                future.completeExceptionally(new IllegalStateException("the backplane was closed"));
            }
        }
    }

    private void submit(Runnable action, CompletableFuture<?> future) {
        Command command = new Command(action, future);
        if (closed) {
            command.abandon();
            return;
        }
        commands.add(command);
        consumer.wakeup();
        if (closed && commands.remove(command)) {
            // Closed meanwhile: the poll thread may be gone.
            command.abandon();
        }
    }

    private void run() {
        try {
            while (!closed) {
                if (readers.isEmpty()) {
                    Command command = commands.poll(IDLE.toMillis(), TimeUnit.MILLISECONDS);
                    if (command != null) {
                        command.run();
                    }
                    continue;
                }
                runCommands();
                if (readers.isEmpty()) {
                    continue;
                }
                try {
                    dispatch(consumer.poll(POLL));
                    throttle();
                } catch (WakeupException e) {
                    // a command is waiting
                } catch (InvalidOffsetException e) {
                    recover(e.partitions());
                } catch (KafkaException e) {
                    warn("reading from Kafka failed; retrying", e);
                    Thread.sleep(RETRY_PAUSE.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "the Kafka consumer thread stopped; subscriptions of this backplane "
                    + "receive nothing more", e);
        } finally {
            try {
                consumer.close(CloseOptions.timeout(Duration.ZERO));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the Kafka consumer failed", e);
            }
        }
    }

    private void runCommands() {
        for (Command command = commands.poll(); command != null; command = commands.poll()) {
            command.run();
        }
    }

    private void dispatch(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            Map<String, List<KafkaSubscription>> channels = readers.get(partition);
            if (channels == null) {
                continue;
            }
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                Header prefixHeader = record.headers().lastHeader(KafkaBackplane.PREFIX_HEADER);
                Header channelHeader = record.headers().lastHeader(KafkaBackplane.CHANNEL_HEADER);
                if (prefixHeader == null || channelHeader == null || !Arrays.equals(prefixHeader.value(), prefix)) {
                    // Another prefix sharing the topic, or a record not written by a backplane.
                    continue;
                }
                List<KafkaSubscription> subscriptions =
                        channels.get(new String(channelHeader.value(), StandardCharsets.UTF_8));
                if (subscriptions == null) {
                    continue;
                }
                byte[] payload = record.value() == null ? new byte[0] : record.value();
                for (KafkaSubscription subscription : subscriptions) {
                    subscription.offer(record.offset(), payload);
                }
            }
        }
    }

    /** Pauses partitions whose subscribers fall far behind, so that memory stays bounded; resumes them later. */
    private void throttle() {
        Set<TopicPartition> paused = consumer.paused();
        for (Map.Entry<TopicPartition, Map<String, List<KafkaSubscription>>> entry : readers.entrySet()) {
            int backlog = 0;
            for (List<KafkaSubscription> list : entry.getValue().values()) {
                for (KafkaSubscription s : list) {
                    backlog = Math.max(backlog, s.backlog());
                }
            }
            if (backlog > maxBacklog && !paused.contains(entry.getKey())) {
                consumer.pause(List.of(entry.getKey()));
            } else if (backlog <= maxBacklog / 2 && paused.contains(entry.getKey())) {
                consumer.resume(List.of(entry.getKey()));
            }
        }
    }

    /**
     * The consumer's position left the partition's retained range: records were deleted before
     * they were read (retention), or the topic was recreated. Reads on from the oldest retained
     * record and tells each subscription that was owed something it can no longer have.
     */
    private void recover(Set<TopicPartition> outOfRange) {
        Map<TopicPartition, Long> starts;
        Map<TopicPartition, Long> ends;
        try {
            starts = consumer.beginningOffsets(outOfRange, lookupTimeout);
            ends = consumer.endOffsets(outOfRange, lookupTimeout);
        } catch (KafkaException e) {
            warn("could not read the retained range of " + outOfRange + "; retrying", e);
            return;
        }
        for (TopicPartition partition : outOfRange) {
            Map<String, List<KafkaSubscription>> channels = readers.get(partition);
            if (channels == null) {
                continue;
            }
            long start = starts.get(partition);
            long end = ends.get(partition);
            for (List<KafkaSubscription> list : channels.values()) {
                for (KafkaSubscription s : list) {
                    if (s.next() < start || s.next() > end) {
                        String reason = s.next() < start
                                ? "offsets " + s.next() + " to " + (start - 1) + " of " + partition
                                        + " were deleted (retention) before they were read"
                                : "offset " + s.next() + " is beyond the end (" + end + ") of " + partition
                                        + "; the topic was deleted and created again";
                        s.gap(new Gap(s.channel(), s.next() == 0 ? Position.EARLIEST : KafkaBackplane.position(s.next() - 1),
                                start < end ? KafkaBackplane.position(start) : Position.NONE, reason));
                        s.startAt(start);
                    }
                }
            }
            consumer.seek(partition, start);
        }
    }

    private void warn(String message, Exception e) {
        long now = System.nanoTime();
        // Once every ten seconds at most: a broker outage would otherwise fill the log.
        if (now - lastWarning > TimeUnit.SECONDS.toNanos(10) || lastWarning == 0) {
            lastWarning = now;
            LOG.log(System.Logger.Level.WARNING, message + ": " + e);
        }
    }

    /** Stops the poll thread and closes the consumer; waits for that at most {@code timeout}. */
    void close(Duration timeout) {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Command command = commands.poll(); command != null; command = commands.poll()) {
            command.abandon();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
