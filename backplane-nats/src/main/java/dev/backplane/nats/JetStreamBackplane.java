package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.AbstractBackplane;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.Positions;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.NUID;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * JetStream: at least once, with replay. Every channel of a prefix is a subject of the prefix's
 * stream ({@link StreamSettings}); a message's {@link Position} is its stream sequence.
 *
 * <p>Publishing: a publish completes with the stream sequence of JetStream's acknowledgement, so
 * a completed publish is stored. Each carries a {@code Nats-Msg-Id}: a publish whose
 * acknowledgement was lost with the connection is sent again after the reconnect, and the server
 * stores it once. While the connection is down, publishes wait in the {@link Outbox} for at most
 * {@code publishTimeout}.
 *
 * <p>Subscribing: each subscription reads through an ordered consumer of its own
 * ({@link StreamSubscription}), from the sequence after the last it handed on, so a broker restart
 * loses nothing the stream stored.
 */
final class JetStreamBackplane extends AbstractBackplane {

    private static final System.Logger LOG = System.getLogger(JetStreamBackplane.class.getName());
    private static final String MSG_ID = "Nats-Msg-Id";
    private static final Duration CONSUMER_HEARTBEAT = Duration.ofSeconds(2);

    private final NatsLink link;
    private final Subjects subjects;
    private final StreamSettings stream;
    private final Capabilities capabilities;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final Dispatcher dispatcher;
    private final StreamReading reading;
    private final ExecutorService deliveryPool;
    private final ExecutorService io;
    private final ScheduledExecutorService timer;
    private final Outbox outbox;
    private final Set<PendingPublish> inFlight = new LinkedHashSet<>(); // guarded by itself; send order
    private final Set<StreamSubscription> subscriptions = ConcurrentHashMap.newKeySet();

    JetStreamBackplane(BackplaneConfig config, NatsLink link, StreamSettings stream) {
        super(config);
        this.link = link;
        this.subjects = new Subjects(config.prefix());
        this.stream = stream;
        Connection connection = link.connection();
        // Half the connect timeout per request, so that a request lost with a dying connection can
        // be made again on the new one before a subscribe's connectTimeout runs out.
        Duration requestTimeout = config.connectTimeout().dividedBy(2);
        JetStreamOptions options = JetStreamOptions.builder()
                .requestTimeout(requestTimeout.compareTo(Duration.ofMillis(250)) < 0 ? Duration.ofMillis(250) : requestTimeout)
                .build();
        try {
            this.js = connection.jetStream(options);
            this.jsm = connection.jetStreamManagement(options);
        } catch (IOException e) {
            throw new BrokerUnavailableException("cannot use JetStream on NATS at " + link.description() + ": " + e.getMessage(), e);
        }
        JetStreamManagement provisioning;
        try {
            provisioning = connection.jetStreamManagement(
                    JetStreamOptions.builder().requestTimeout(config.connectTimeout()).build());
        } catch (IOException e) {
            throw new BrokerUnavailableException("cannot use JetStream on NATS at " + link.description() + ": " + e.getMessage(), e);
        }
        StreamInfo info = new StreamProvisioner(provisioning, link, stream, subjects).ensure();
        this.capabilities = new Capabilities("jetstream", DeliveryGuarantee.AT_LEAST_ONCE, true, true,
                maxPayload(connection, info.getConfiguration().getMaximumMessageSize()), false);
        this.deliveryPool = Executors.newCachedThreadPool(new DaemonThreads("backplane-jetstream-delivery"));
        this.io = Executors.newCachedThreadPool(new DaemonThreads("backplane-jetstream-io"));
        this.timer = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("backplane-jetstream-timer"));
        this.dispatcher = connection.createDispatcher();
        this.reading = new StreamReading(js, jsm, dispatcher, stream.stream(), CONSUMER_HEARTBEAT, config.ackTimeout(),
                deliveryPool, io, timer, new FreshReading<>(() -> jsm.getStreamInfo(stream.stream()),
                        RetentionCheck.READING_INTERVAL), link.settings().maxSubscriberBacklog());
        // Nothing goes out while publishes of the previous connection still await a resend: order.
        this.outbox = new Outbox(link.settings().outboxBytes(), this::trySend,
                () -> link.connected() && !staleInFlight(), link.description());
        long sweep = Math.max(10, Math.min(50, config.publishTimeout().toMillis() / 10));
        timer.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        link.onReconnected(() -> io.execute(this::afterReconnect));
        // Operations: the link's state is this backplane's connection state (health, lost and restored events).
        link.onReconnected(this::connected);
        link.onDisconnected(() -> connectionLost("the connection to NATS at " + link.description() + " dropped"));
        if (link.connected()) {
            connected();
        }
        // jnats re-creates an ordered consumer that stops sending heartbeats; so do we, from our own
        // last sequence, in case its attempt fails while the server is still coming back.
        link.onHeartbeatAlarm(consumer -> subscriptions.stream().filter(s -> s.readsThrough(consumer))
                .forEach(s -> io.execute(s::resume)));
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

    // ---------------------------------------------------------------- publishing

    @Override
    protected CompletableFuture<Position> doPublish(String channel, byte[] payload) {
        PendingPublish publish = new PendingPublish(subjects.subject(channel), payload.clone(),
                System.nanoTime() + config.publishTimeout().toNanos(), NUID.nextGlobal());
        outbox.submit(publish);
        return publish.result;
    }

    /** Hands a publish to jnats; false if jnats does not take it now (it then sent nothing). */
    private boolean trySend(PendingPublish publish) {
        int attempt = ++publish.attempt;
        publish.reconnectsAtSend = link.reconnects();
        publish.violationMark = link.violations().mark();
        synchronized (inFlight) {
            inFlight.add(publish); // before sending: the acknowledgement may come at once
        }
        CompletableFuture<PublishAck> ack;
        try {
            ack = js.publishAsync(publish.subject, new Headers().put(MSG_ID, publish.messageId), publish.payload);
        } catch (IllegalStateException e) {
            forget(publish);
            if (link.connection().getStatus() == Connection.Status.CLOSED) {
                publish.fail(new BrokerUnavailableException("the NATS connection to " + link.description()
                        + " is closed; the publish to '" + publish.subject + "' was not sent", e));
                return true;
            }
            return false;
        } catch (IllegalArgumentException e) {
            forget(publish);
            publish.fail(e);
            return true;
        }
        publish.sent = true;
        ack.whenComplete((a, error) -> onAcknowledgement(publish, attempt, a, error));
        return true;
    }

    private void onAcknowledgement(PendingPublish publish, int attempt, PublishAck ack, Throwable error) {
        if (ack != null) {
            // Any attempt's acknowledgement will do: the message id makes them the same message.
            forget(publish);
            publish.result.complete(Position.of(Long.toString(ack.getSeqno())));
            return;
        }
        if (attempt != publish.attempt || publish.done()) {
            return; // superseded by a resend after a reconnect
        }
        Throwable cause = rootCause(error);
        if (cause instanceof JetStreamApiException api) {
            forget(publish);
            publish.fail(new BackplaneException("JetStream on NATS at " + link.description() + " refused the publish to '"
                    + publish.subject + "': " + api.getErrorDescription() + " (code " + api.getApiErrorCode() + ")", api));
        } else {
            // No stream answered (503: it may be recovering after a restart) or jnats gave up
            // waiting: send it again until the deadline; the message id makes a resend harmless.
            forget(publish);
            retryLater(publish, String.valueOf(cause.getMessage()).contains("503"));
        }
    }

    private void retryLater(PendingPublish publish, boolean noResponders) {
        try {
            timer.schedule(() -> {
                if (!publish.done()) {
                    if (publish.expired(System.nanoTime())) {
                        if (noResponders) {
                            publish.fail(new BackplaneException("no JetStream stream stored the publish to '"
                                    + publish.subject + "' within publishTimeout (no responders): does stream '"
                                    + stream.stream() + "' still exist on NATS at " + link.description() + "?"));
                        } else {
                            failUnacknowledged(publish);
                        }
                    } else {
                        outbox.requeueFirst(List.of(publish));
                        outbox.drain();
                    }
                }
            }, 200, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            publish.fail(new BrokerUnavailableException("the backplane was closed before JetStream stored the publish to '"
                    + publish.subject + "'"));
        }
    }

    private void forget(PendingPublish publish) {
        synchronized (inFlight) {
            inFlight.remove(publish);
        }
    }

    /**
     * Whether publishes sent on an earlier connection still wait for their acknowledgement. Their
     * acknowledgement was lost with that connection; they are sent again, before anything newer.
     * In-flight publishes are in send order, so the oldest tells.
     */
    private boolean staleInFlight() {
        synchronized (inFlight) {
            return !inFlight.isEmpty() && inFlight.iterator().next().reconnectsAtSend != link.reconnects();
        }
    }

    /** Moves the publishes of earlier connections ahead of everything held, to be sent again. */
    private void resendStale() {
        synchronized (outbox) {
            List<PendingPublish> stale = new ArrayList<>();
            long current = link.reconnects();
            synchronized (inFlight) {
                Iterator<PendingPublish> it = inFlight.iterator();
                while (it.hasNext()) {
                    PendingPublish p = it.next();
                    if (p.reconnectsAtSend != current) {
                        it.remove();
                        stale.add(p);
                    }
                }
            }
            outbox.requeueFirst(stale);
        }
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            outbox.expire(now);
            if (link.connected()) {
                if (staleInFlight()) {
                    resendStale();
                }
                outbox.drain();
            }
            List<PendingPublish> expired = new ArrayList<>();
            synchronized (inFlight) {
                Iterator<PendingPublish> it = inFlight.iterator();
                while (it.hasNext()) {
                    PendingPublish p = it.next();
                    if (p.done() || p.expired(now)) {
                        it.remove();
                        expired.add(p);
                    }
                }
            }
            expired.forEach(this::failUnacknowledged);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the JetStream outbox sweep failed", e);
        }
    }

    private void failUnacknowledged(PendingPublish p) {
        if (link.violations().refusedSince(PermissionViolations.Kind.PUBLISH, p.subject, p.violationMark)) {
            p.fail(new BackplaneConfigurationException("NATS at " + link.description() + " refused the publish to '"
                    + p.subject + "' (Permissions Violation); allow this user to publish to the prefix's subjects"));
        } else {
            p.fail(new BrokerUnavailableException("JetStream on NATS at " + link.description()
                    + " did not acknowledge the publish to '" + p.subject + "' within publishTimeout; it may have been "
                    + "stored (a resend within " + stream.duplicateWindow() + " is recognised as the same message)"));
        }
    }

    private void afterReconnect() {
        resendStale();
        outbox.drain();
        subscriptions.forEach(s -> io.execute(s::resume));
    }

    // ---------------------------------------------------------------- subscribing

    @Override
    protected CompletableFuture<Subscription> doSubscribe(String channel, Position from, Subscriber subscriber) {
        long after = from == null ? -1 : parse(from);
        String subject = subjects.subject(channel);
        StreamSubscription subscription = new StreamSubscription(channel, subject, subscriber, reading, subscriptions::remove);
        RetentionCheck retention = subscription.retention();
        return CompletableFuture.supplyAsync(() -> {
            long deadline = System.nanoTime() + config.connectTimeout().toNanos();
            try {
                StreamInfo info = withinDeadline(subject, deadline, retention::streamInfo);
                long next;
                if (after < 0) {
                    // Live: everything stored after this point, whatever becomes of the consumer later.
                    next = info.getStreamState().getLastSequence() + 1;
                } else {
                    Optional<Gap> gap = retention.gapAfter(channel, after, info);
                    gap.ifPresent(subscription::gap);
                    // Read from where the gap ends, so that its first delivery is not seen as a skip again.
                    next = Math.max(after + 1, gap.map(g -> RetentionCheck.resumesAt(g, info)).orElse(0L));
                }
                subscriptions.add(subscription);
                withinDeadline(subject, deadline, () -> {
                    subscription.start(next);
                    return null;
                });
                return (Subscription) subscription;
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                subscription.close();
                if (e instanceof CompletionException c) {
                    throw c;
                }
                throw new CompletionException(new BrokerUnavailableException("cannot subscribe to '" + subject
                        + "' on JetStream stream '" + stream.stream() + "' at " + link.description() + ": " + e.getMessage(), e));
            }
        }, io);
    }

    /** A JetStream API call that needs an answer. */
    private interface ApiCall<T> {
        T call() throws IOException, JetStreamApiException;
    }

    /**
     * Runs {@code call} once the connection is up, again if it got no answer (a request sent just
     * as the connection died is lost with it), until {@code deadline}. An error answer from the
     * server is not retried.
     */
    private <T> T withinDeadline(String subject, long deadline, ApiCall<T> call) throws IOException, JetStreamApiException {
        while (true) {
            try {
                if (!link.awaitConnected(deadline)) {
                    throw new CompletionException(new BrokerUnavailableException("cannot subscribe to '" + subject
                            + "': NATS at " + link.description() + " was unreachable for connectTimeout=" + config.connectTimeout()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(new BrokerUnavailableException("interrupted while subscribing to '" + subject + "'", e));
            }
            try {
                return call.call();
            } catch (IOException | IllegalStateException e) {
                if (isClosed() || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
        }
    }

    private static long parse(Position from) {
        return from.equals(Position.EARLIEST) ? 0 : Positions.wholeNumber(from, "jetstream", "a stream sequence number");
    }

    // ---------------------------------------------------------------- closing

    @Override
    protected void doClose() {
        List<StreamSubscription> open = new ArrayList<>(subscriptions);
        open.forEach(StreamSubscription::close);
        outbox.close();
        awaitAcknowledgements(config.publishTimeout().compareTo(Duration.ofSeconds(2)) < 0
                ? config.publishTimeout() : Duration.ofSeconds(2));
        List<PendingPublish> left;
        synchronized (inFlight) {
            left = new ArrayList<>(inFlight);
            inFlight.clear();
        }
        left.forEach(p -> p.fail(new BrokerUnavailableException("the backplane was closed before JetStream acknowledged "
                + "the publish to '" + p.subject + "'; it may have been stored")));
        timer.shutdownNow();
        io.shutdownNow();
        link.close();
        deliveryPool.shutdown();
    }

    private void awaitAcknowledgements(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (inFlight) {
                if (inFlight.isEmpty()) {
                    return;
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Throwable rootCause(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || (t instanceof RuntimeException && t.getClass() == RuntimeException.class)) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
