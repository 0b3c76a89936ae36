package dev.backplane.kafka;

import dev.backplane.BackplaneException;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.spi.Backoff;
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
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

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
 * <p>Flow control is per subscription. Each subscription keeps the next offset it is owed; one
 * that holds {@code maxUnacknowledged} deliveries is <em>waiting</em>: the records of its channel
 * go by without it, and it remembers where it stopped. When acknowledgements give it room again,
 * the consumer is moved back to that offset in its partition, and the other subscriptions of the
 * partition skip what they already had. A partition is paused only while every subscription
 * reading it is waiting, so a slow subscriber delays no other subscription, of its channel or of
 * another.
 *
 * <p>The consumer is not thread-safe, so one thread owns it; other threads hand it commands and
 * {@linkplain Consumer#wakeup wake} it. That thread survives what goes wrong in it: a failure of
 * the Kafka client is retried, an interrupt is ignored while the backplane is open, and anything
 * else (a bug, an {@link Error}) makes it start a new consumer where the subscriptions stand. If
 * it fails {@value #MAX_RESTARTS} times in a row, it gives up: subscriptions receive nothing more,
 * and every subscribe then fails at once saying why.
 */
final class KafkaReceiver implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KafkaReceiver.class.getName());
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration IDLE = Duration.ofMillis(200);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);
    /** Failures in a row after which the receiver stops for good (it starts a new consumer after each one before). */
    static final int MAX_RESTARTS = 5;

    private final Supplier<Consumer<String, byte[]>> consumers;
    private final byte[] prefix;
    private final Duration lookupTimeout;
    private final String name;
    private final BlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final Backoff restartBackoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    // Replaced on a restart; read by other threads only to wake it.
    private volatile Consumer<String, byte[]> consumer;
    // Poll thread only.
    private final Map<TopicPartition, PartitionReaders> readers = new HashMap<>();
    private volatile boolean closed;
    private volatile BackplaneException dead;
    private long lastWarning;

    /**
     * @param consumers makes the consumer, and a new one on a restart
     * @param name the thread's name, also used in messages
     */
    KafkaReceiver(Supplier<Consumer<String, byte[]>> consumers, String prefix, Duration lookupTimeout, String name) {
        this.consumers = consumers;
        this.consumer = consumers.get();
        this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        this.lookupTimeout = lookupTimeout;
        this.name = name;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts {@code subscription} at {@code offset} of its partition. The future completes once
     * the consumer will hand it every record of its channel from that offset on; it fails at once
     * if the receiver has stopped.
     */
    CompletableFuture<Void> add(KafkaSubscription subscription, long offset) {
        CompletableFuture<Void> added = new CompletableFuture<>();
        submit(() -> {
            TopicPartition partition = subscription.partition();
            subscription.startAt(offset);
            PartitionReaders partitionReaders = readers.get(partition);
            if (partitionReaders == null) {
                readers.put(partition, partitionReaders = new PartitionReaders());
                consumer.assign(readers.keySet());
                consumer.seek(partition, offset);
            } else {
                if (offset < position(partition)) {
                    // Read the partition again from there; subscriptions that are further on skip what they had.
                    consumer.seek(partition, offset);
                }
                if (partitionReaders.paused) {
                    consumer.resume(List.of(partition));
                    partitionReaders.paused = false;
                }
            }
            partitionReaders.add(subscription);
            added.complete(null);
        }, added);
        return added;
    }

    /** Stops handing records to {@code subscription}; its partition is released when no subscription needs it. */
    void remove(KafkaSubscription subscription) {
        submit(() -> {
            TopicPartition partition = subscription.partition();
            PartitionReaders partitionReaders = readers.get(partition);
            if (partitionReaders == null || !partitionReaders.remove(subscription)) {
                return;
            }
            if (partitionReaders.isEmpty()) {
                readers.remove(partition);
                consumer.assign(readers.keySet());
            } else {
                pauseIfAllWaiting(partition, partitionReaders);
            }
        }, null);
    }

    /**
     * {@code subscription} has room for more deliveries again: reads its partition from where it
     * stopped. Called on the thread that acknowledged; only queues a command.
     */
    void resume(KafkaSubscription subscription) {
        submit(() -> {
            if (!subscription.stopWaiting()) {
                return;
            }
            TopicPartition partition = subscription.partition();
            PartitionReaders partitionReaders = readers.get(partition);
            if (partitionReaders == null || !partitionReaders.contains(subscription)) {
                return;
            }
            if (subscription.next() < position(partition)) {
                consumer.seek(partition, subscription.next());
            }
            if (partitionReaders.paused) {
                consumer.resume(List.of(partition));
                partitionReaders.paused = false;
            }
        }, null);
    }

    /** Why the receiver stopped for good (a new exception each call), or null while it runs. */
    BackplaneException stoppedBecause() {
        BackplaneException why = dead;
        return why == null ? null : new BackplaneException(why.getMessage(), why.getCause());
    }

    /** The consumer's position in {@code partition}, or the largest offset if it has none now. */
    private long position(TopicPartition partition) {
        try {
            return consumer.position(partition, Duration.ZERO);
        } catch (KafkaException e) {
            return Long.MAX_VALUE;
        }
    }

    private void pauseIfAllWaiting(TopicPartition partition, PartitionReaders partitionReaders) {
        if (!partitionReaders.paused && partitionReaders.allWaiting()) {
            consumer.pause(List.of(partition));
            partitionReaders.paused = true;
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

        void abandon(RuntimeException why) {
            if (future != null) {
                future.completeExceptionally(why);
            }
        }
    }

    private void submit(Runnable action, CompletableFuture<?> future) {
        Command command = new Command(action, future);
        RuntimeException refusal = refusal();
        if (refusal != null) {
            command.abandon(refusal);
            return;
        }
        commands.add(command);
        wakeUp();
        refusal = refusal();
        if (refusal != null && commands.remove(command)) {
            // Closed or stopped meanwhile: the poll thread may be gone.
            command.abandon(refusal);
        }
    }

    private RuntimeException refusal() {
        if (dead != null) {
            return stoppedBecause();
        }
        return closed ? new IllegalStateException("the backplane was closed") : null;
    }

    private void wakeUp() {
        try {
            consumer.wakeup();
        } catch (RuntimeException e) {
            // A consumer being replaced: the new one looks at the commands before it polls.
        }
    }

    // ------------------------------------------------------------------ poll thread

    private void run() {
        int failures = 0;
        Throwable last = null;
        while (!closed) {
            try {
                if (consumer == null) {
                    consumer = consumers.get();
                    reassign();
                }
                step();
                failures = 0;
                restartBackoff.reset();
            } catch (WakeupException e) {
                // a command is waiting
            } catch (InterruptException | InterruptedException e) {
                // Only close() stops this thread; someone else's interrupt must not silence the subscriptions.
                Thread.interrupted();
                if (!closed) {
                    warn("the Kafka receiver thread was interrupted; it goes on", e);
                }
            } catch (InvalidOffsetException e) {
                recover(e.partitions());
            } catch (KafkaException e) {
                warn("reading from Kafka failed; retrying", e);
                pause(RETRY_PAUSE.toMillis());
            } catch (RuntimeException | Error e) {
                if (closed) {
                    break;
                }
                failures++;
                last = e;
                if (failures >= MAX_RESTARTS) {
                    break;
                }
                LOG.log(System.Logger.Level.ERROR, name + " failed (" + failures + " time(s) in a row); it starts a "
                        + "new Kafka consumer where its subscriptions stand", e);
                closeConsumer();
                pause(restartBackoff.nextMillis());
            }
        }
        closeConsumer();
        if (!closed) {
            stop(failures, last);
        }
    }

    /** One round: the commands that came, then one poll and its hand-overs. */
    private void step() throws InterruptedException {
        if (readers.isEmpty()) {
            Command command = commands.poll(IDLE.toMillis(), TimeUnit.MILLISECONDS);
            if (command != null) {
                command.run();
            }
            return;
        }
        for (Command command = commands.poll(); command != null; command = commands.poll()) {
            command.run();
        }
        if (!readers.isEmpty()) {
            dispatch(consumer.poll(POLL));
        }
    }

    /** A new consumer reads every partition from the first offset a subscription that can take more is owed. */
    private void reassign() {
        consumer.assign(readers.keySet());
        for (Map.Entry<TopicPartition, PartitionReaders> entry : readers.entrySet()) {
            PartitionReaders partitionReaders = entry.getValue();
            consumer.seek(entry.getKey(), partitionReaders.firstOwed());
            partitionReaders.paused = false;
            pauseIfAllWaiting(entry.getKey(), partitionReaders);
        }
    }

    private void stop(int failures, Throwable last) {
        dead = new BackplaneException(name + " stopped after failing " + failures + " times in a row (last: " + last
                + "); the subscriptions of this Kafka backplane receive nothing more. Close the backplane and open "
                + "a new one", last);
        LOG.log(System.Logger.Level.ERROR, dead.getMessage(), last);
        for (Command command = commands.poll(); command != null; command = commands.poll()) {
            command.abandon(dead);
        }
    }

    private void closeConsumer() {
        Consumer<String, byte[]> current = consumer;
        consumer = null;
        if (current != null) {
            try {
                current.close(CloseOptions.timeout(Duration.ZERO));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the Kafka consumer failed", e);
            }
        }
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            // close() interrupts a pause; anything else is ignored, as above
        }
    }

    private void dispatch(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            PartitionReaders partitionReaders = readers.get(partition);
            if (partitionReaders == null) {
                continue;
            }
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                String channel = channelOf(record.headers(), prefix);
                if (channel == null) {
                    // Another prefix sharing the topic, or a record not written by a backplane.
                    continue;
                }
                List<KafkaSubscription> subscriptions = partitionReaders.of(channel);
                if (subscriptions == null) {
                    continue;
                }
                byte[] payload = record.value() == null ? new byte[0] : record.value();
                for (KafkaSubscription subscription : subscriptions) {
                    subscription.offer(record.offset(), payload);
                }
            }
            pauseIfAllWaiting(partition, partitionReaders);
        }
    }

    /**
     * The logical channel of a record that a backplane with {@code prefix} published (its headers
     * as {@link KafkaPublisher} writes them), or null for any other record: another prefix sharing
     * the topic, or a record not written by a backplane.
     */
    static String channelOf(Headers headers, byte[] prefix) {
        Header prefixHeader = headers.lastHeader(KafkaBackplane.PREFIX_HEADER);
        Header channelHeader = headers.lastHeader(KafkaBackplane.CHANNEL_HEADER);
        if (prefixHeader == null || channelHeader == null || channelHeader.value() == null
                || !Arrays.equals(prefixHeader.value(), prefix)) {
            return null; // a header without a value is not one a backplane wrote
        }
        return new String(channelHeader.value(), StandardCharsets.UTF_8);
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
            PartitionReaders partitionReaders = readers.get(partition);
            if (partitionReaders == null) {
                continue;
            }
            long start = starts.get(partition);
            long end = ends.get(partition);
            for (KafkaSubscription s : partitionReaders.all()) {
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
            consumer.seek(partition, Math.max(start, Math.min(end, partitionReaders.firstOwed())));
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
        wakeUp();
        thread.interrupt();
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RuntimeException refusal = refusal();
        for (Command command = commands.poll(); command != null; command = commands.poll()) {
            command.abandon(refusal);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /** The subscriptions reading one partition, by channel. Poll thread only. */
    private static final class PartitionReaders {
        private final Map<String, List<KafkaSubscription>> byChannel = new HashMap<>();
        boolean paused;

        void add(KafkaSubscription subscription) {
            byChannel.computeIfAbsent(subscription.channel(), c -> new ArrayList<>()).add(subscription);
        }

        boolean remove(KafkaSubscription subscription) {
            List<KafkaSubscription> list = byChannel.get(subscription.channel());
            if (list == null || !list.remove(subscription)) {
                return false;
            }
            if (list.isEmpty()) {
                byChannel.remove(subscription.channel());
            }
            return true;
        }

        boolean contains(KafkaSubscription subscription) {
            List<KafkaSubscription> list = byChannel.get(subscription.channel());
            return list != null && list.contains(subscription);
        }

        List<KafkaSubscription> of(String channel) {
            return byChannel.get(channel);
        }

        boolean isEmpty() {
            return byChannel.isEmpty();
        }

        List<KafkaSubscription> all() {
            List<KafkaSubscription> all = new ArrayList<>();
            byChannel.values().forEach(all::addAll);
            return all;
        }

        boolean allWaiting() {
            for (List<KafkaSubscription> list : byChannel.values()) {
                for (KafkaSubscription s : list) {
                    if (!s.isWaiting()) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** The first offset a subscription that can take more is owed (any subscription, if all wait). */
        long firstOwed() {
            long first = Long.MAX_VALUE;
            long firstOfAll = Long.MAX_VALUE;
            for (List<KafkaSubscription> list : byChannel.values()) {
                for (KafkaSubscription s : list) {
                    firstOfAll = Math.min(firstOfAll, s.next());
                    if (!s.isWaiting()) {
                        first = Math.min(first, s.next());
                    }
                }
            }
            return first != Long.MAX_VALUE ? first : firstOfAll;
        }
    }
}
