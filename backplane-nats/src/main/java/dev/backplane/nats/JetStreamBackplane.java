package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.AbstractBackplane;
import dev.backplane.spi.Positions;
import dev.backplane.spi.SerialExecutor;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.NUID;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * JetStream: at least once, with replay. Every channel of a prefix is a subject of the prefix's
 * stream ({@link StreamSettings}); a message's {@link Position} is its stream sequence.
 *
 * <p>Publishing ({@link JetStreamPublisher}): a publish completes with the stream sequence of
 * JetStream's acknowledgement, so a completed publish is stored; one whose acknowledgement was lost
 * with the connection is written again, in order, and stored once (its {@code Nats-Msg-Id}).
 *
 * <p>Subscribing ({@link StreamSubscription}): live subscriptions read through one pull consumer of
 * the backplane over all the prefix's subjects ({@link StreamTail}); a replay, or a subscription
 * that falls behind, reads through a pull consumer of its own, from the sequence after the last it
 * took, asking for no more than it may hold unacknowledged, and comes back to the shared one once
 * it has caught up. A broker restart loses nothing the stream stored.
 *
 * <p>Threads: no thread of this backplane runs user code. Futures complete and subscribers run on
 * the callback executor of the configuration's resources; deadlines and retries are timed on its
 * scheduler; the client's own threads read, write and hand on.
 */
final class JetStreamBackplane extends AbstractBackplane {

    private static final String MSG_ID = "Nats-Msg-Id";

    private final NatsLink link;
    private final Subjects subjects;
    private final StreamSettings stream;
    private final Capabilities capabilities;
    private final JetStreamPublisher publisher;
    private final StreamReading reading;
    private final StreamTail tail; // null when the stream captures more than the prefix's subjects
    private final ScheduledFuture<?> liveness;
    private final Set<StreamSubscription> subscriptions = ConcurrentHashMap.newKeySet();

    JetStreamBackplane(BackplaneConfig config, NatsLink link, StreamSettings stream) {
        super(config);
        this.link = link;
        this.subjects = new Subjects(config.prefix());
        this.stream = stream;
        Connection connection = link.connection();
        JetStreamManagement provisioning;
        try {
            provisioning = connection.jetStreamManagement(
                    JetStreamOptions.builder().requestTimeout(config.connectTimeout()).build());
        } catch (IOException e) {
            throw new BrokerUnavailableException("cannot use JetStream on NATS at " + link.description() + ": " + e.getMessage(), e);
        }
        long readAt = System.nanoTime();
        StreamInfo info = new StreamProvisioner(provisioning, link, stream, subjects).ensure();
        this.capabilities = new Capabilities("jetstream", DeliveryGuarantee.AT_LEAST_ONCE, true, true,
                maxPayload(connection, info.getConfiguration().getMaximumMessageSize()), false);
        // Half the connect timeout per request, so that one lost with a dying connection can be
        // made again on the new one before a subscribe's connectTimeout runs out.
        Duration requestTimeout = config.connectTimeout().dividedBy(2);
        // What answers and retries lead to (API answers, pull requests, held deliveries) never blocks: everything
        // here is asynchronous. So one lane on the client's threads carries it for every subscription, and threads
        // do not grow with subscriptions.
        Executor lane = new SerialExecutor(link::execute);
        JetStreamApi api = new JetStreamApi(link, requestTimeout.compareTo(Duration.ofMillis(250)) < 0
                ? Duration.ofMillis(250) : requestTimeout, config.resources().scheduler(), lane);
        FreshReading<StreamInfo> streamInfo = new FreshReading<>(
                () -> RetentionCheck.streamInfo(api, stream.stream(), "{}"), config.resources().scheduler(), lane);
        streamInfo.seed(info, readAt);
        this.reading = new StreamReading(config, link, api, connection.createDispatcher(), stream.stream(), streamInfo,
                config.resources().scheduler(), lane);
        // One consumer for every live subscription, where a skip in stream sequences can only mean
        // messages removed: the stream must hold the prefix's subjects alone.
        this.tail = List.of(subjects.allChannels()).equals(info.getConfiguration().getSubjects())
                ? new StreamTail(reading, subjects.allChannels()) : null;
        this.publisher = new JetStreamPublisher(config, completions, monitor, link, subjects, stream);
        link.onReconnected(() -> {
            if (tail != null) {
                tail.resume();
            }
            subscriptions.forEach(StreamSubscription::resume);
        });
        this.liveness = config.resources().scheduler().scheduleWithFixedDelay(this::checkConsumers, 5, 5,
                TimeUnit.SECONDS);
        // Operations: the link's state is this backplane's connection state (health, lost and restored events).
        link.onReconnected(this::connected);
        link.onDisconnected(() -> connectionLost("the connection to NATS at " + link.description() + " dropped"));
        if (link.connected()) {
            connected();
        }
    }

    /**
     * The server's payload limit, or the stream's message size limit if lower, less the message id
     * header every publish carries.
     */
    private static int maxPayload(Connection connection, long streamMax) {
        long serverMax = connection.getServerInfo().getMaxPayload();
        long max = serverMax > 0 ? serverMax : 1 << 20;
        if (streamMax > 0) {
            max = Math.min(max, streamMax);
        }
        long header = new Headers().put(MSG_ID, NUID.nextGlobal()).serializedLength();
        return (int) Math.min(max - header, Integer.MAX_VALUE - 8);
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /** The connection, for the module's tests. */
    NatsLink link() {
        return link;
    }

    /** Whether the connection publishes go out on is up, for the module's tests. */
    boolean publishing() {
        return publisher.connected();
    }

    /** The shared reading of the stream's live end, null if not used, for the module's tests. */
    StreamTail tail() {
        return tail;
    }

    /** The publishing side, for the module's tests. */
    JetStreamPublisher publisher() {
        return publisher;
    }

    @Override
    protected CompletableFuture<Position> doPublish(String channel, byte[] payload) {
        return publisher.publish(channel, payload.clone());
    }

    /** On the scheduler: short, and hands the work to an I/O thread. */
    private void checkConsumers() {
        try {
            link.execute(() -> {
                if (tail != null) {
                    tail.pullIfIdle();
                }
                subscriptions.forEach(StreamSubscription::pullIfIdle);
            });
        } catch (RejectedExecutionException closing) {
            // the backplane is closing
        } catch (RuntimeException e) {
            System.getLogger(JetStreamBackplane.class.getName()).log(System.Logger.Level.WARNING,
                    "checking the JetStream consumers failed", e);
        }
    }

    // ---------------------------------------------------------------- subscribing

    @Override
    protected CompletableFuture<Subscription> doSubscribe(String channel, Position from, Subscriber subscriber) {
        long after = from == null ? -1 : parse(from);
        String subject = subjects.subject(channel);
        StreamSubscription subscription = new StreamSubscription(channel, subject, subscriber, reading, tail,
                subscriptions::remove);
        subscriptions.add(subscription);
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        CompletableFuture<Void> started = after < 0 ? subscription.startLive(deadline)
                : subscription.startAfter(after, deadline);
        CompletableFuture<Subscription> result = new CompletableFuture<>();
        ScheduledFuture<?> timeout = config.resources().scheduler().schedule(() -> result.completeExceptionally(
                new BrokerUnavailableException("cannot subscribe to '" + subject + "' on JetStream stream '"
                        + stream.stream() + "' at " + link.description() + ": no answer within connectTimeout="
                        + config.connectTimeout())), config.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        started.whenComplete((ok, error) -> {
            timeout.cancel(false);
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                result.completeExceptionally(cause);
            } else {
                result.complete(subscription);
            }
        });
        result.whenComplete((s, error) -> {
            if (error != null) {
                link.execute(subscription::close); // maybe on the scheduler's thread: not here
            }
        });
        return result;
    }

    /** A stream sequence as a position; its text is made only if it is asked for. */
    static Position position(long sequence) {
        // A sequence is never negative; should a reply hold one, it keeps its text form.
        return sequence >= 0 ? Position.ofWholeNumber(sequence) : Position.of(Long.toString(sequence));
    }

    private static long parse(Position from) {
        return from.equals(Position.EARLIEST) ? 0 : Positions.wholeNumber(from, "jetstream", "a stream sequence number");
    }

    // ---------------------------------------------------------------- closing

    @Override
    protected void doClose() {
        liveness.cancel(false);
        List<StreamSubscription> open = new ArrayList<>(subscriptions);
        open.forEach(StreamSubscription::close);
        if (tail != null) {
            tail.close();
        }
        reading.streamInfo().close();
        publisher.close(config.publishTimeout().compareTo(Duration.ofSeconds(2)) < 0
                ? config.publishTimeout() : Duration.ofSeconds(2));
        link.close();
    }
}
