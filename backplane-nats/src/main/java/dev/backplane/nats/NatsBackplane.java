package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.AbstractBackplane;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.SubscriberDispatch;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Core NATS: every channel is a subject ({@link Subjects}), published and subscribed with plain
 * NATS operations. At most once: the server keeps nothing, so a message published while a
 * subscriber's connection is down is lost for it, which the subscriber learns through
 * {@link Subscriber#onGap} once its connection is back. No replay. Order per publisher holds
 * because NATS keeps a connection's messages in order and the {@link Outbox} keeps calls in order.
 *
 * <p>A publish completes once a PING/PONG round trip after it came back ({@link RoundTrips},
 * {@link PublishConfirmation}); while the connection is down it waits in the {@link Outbox} for at
 * most {@code publishTimeout}. A subscription is confirmed the same way.
 */
final class NatsBackplane extends AbstractBackplane {

    private static final System.Logger LOG = System.getLogger(NatsBackplane.class.getName());

    private final NatsLink link;
    private final Subjects subjects;
    private final Capabilities capabilities;
    private final Dispatcher dispatcher;
    private final ExecutorService deliveryPool;
    private final ExecutorService io;
    private final ScheduledExecutorService timer;
    private final Outbox outbox;
    private final RoundTrips roundTrips;
    private final Set<CoreSubscription> subscriptions = ConcurrentHashMap.newKeySet();

    NatsBackplane(BackplaneConfig config, NatsLink link) {
        super(config);
        this.link = link;
        this.subjects = new Subjects(config.prefix());
        long serverMax = link.connection().getServerInfo().getMaxPayload();
        int maxPayload = (int) Math.min(serverMax > 0 ? serverMax : 1 << 20, Integer.MAX_VALUE - 8);
        this.capabilities = new Capabilities("nats", DeliveryGuarantee.AT_MOST_ONCE, false, true, maxPayload, true);
        this.deliveryPool = Executors.newCachedThreadPool(new DaemonThreads("backplane-nats-delivery"));
        this.io = Executors.newCachedThreadPool(new DaemonThreads("backplane-nats-io"));
        this.timer = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("backplane-nats-timer"));
        this.dispatcher = link.connection().createDispatcher();
        this.roundTrips = new RoundTrips(link, "backplane-nats-round-trips");
        this.outbox = new Outbox(link.settings().outboxBytes(), this::trySend, link::connected, link.description());
        long sweep = Math.max(10, Math.min(50, config.publishTimeout().toMillis() / 10));
        timer.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        link.onReconnected(() -> io.execute(this::afterReconnect));
        // Operations: the link's state is this backplane's connection state (health, lost and restored events).
        link.onReconnected(this::connected);
        link.onDisconnected(() -> connectionLost("the connection to NATS at " + link.description() + " dropped"));
        if (link.connected()) {
            connected();
        }
        link.onSlowConsumer(() -> subscriptions.forEach(s -> s.gap(
                "the NATS client dropped messages because deliveries fell behind (slow consumer)")));
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /** The connection, for the module's tests. */
    NatsLink link() {
        return link;
    }

    @Override
    protected CompletableFuture<Position> doPublish(String channel, byte[] payload) {
        PendingPublish publish = new PendingPublish(subjects.subject(channel), payload.clone(),
                System.nanoTime() + config.publishTimeout().toNanos(), null);
        outbox.submit(publish);
        return publish.result;
    }

    /** Hands a publish to jnats; false if jnats does not take it now (it then sent nothing). */
    private boolean trySend(PendingPublish publish) {
        Connection connection = link.connection();
        try {
            publish.violationMark = link.violations().mark();
            publish.reconnectsAtSend = link.reconnects();
            connection.publish(publish.subject, publish.payload);
        } catch (IllegalStateException e) {
            // Disconnected (no reconnect buffer) or the write queue stayed full: nothing was queued.
            if (connection.getStatus() == Connection.Status.CLOSED) {
                publish.fail(new BrokerUnavailableException("the NATS connection to " + link.description()
                        + " is closed; the publish to '" + publish.subject + "' was not sent", e));
                return true;
            }
            return false;
        } catch (IllegalArgumentException e) {
            publish.fail(e);
            return true;
        }
        publish.sent = true;
        roundTrips.add(new PublishConfirmation(publish, link));
        return true;
    }

    private void sweep() {
        try {
            outbox.expire(System.nanoTime());
            if (!outbox.isEmpty() && link.connected()) {
                outbox.drain();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the NATS outbox sweep failed", e);
        }
    }

    private void afterReconnect() {
        outbox.drain();
        // jnats re-sent every SUB on the new connection; once a round trip is back they are active.
        try {
            roundTrips.roundTrip(config.connectTimeout()).get();
        } catch (ExecutionException e) {
            // Reported as a gap all the same: messages may have been lost either way.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscriptions.forEach(s -> s.gap("the connection to NATS at " + link.description()
                + " was lost and re-established; messages published in between were not delivered"));
    }

    @Override
    protected CompletableFuture<Subscription> doSubscribe(String channel, Position from, Subscriber subscriber) {
        String subject = subjects.subject(channel);
        CoreSubscription subscription = new CoreSubscription(channel, subscriber);
        long mark = link.violations().mark();
        try {
            subscription.nats = dispatcher.subscribe(subject, subscription::onMessage);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(new BrokerUnavailableException(
                    "cannot subscribe to '" + subject + "' on NATS at " + link.description() + ": " + e.getMessage(), e));
        }
        subscriptions.add(subscription);
        return CompletableFuture.supplyAsync(() -> {
            confirmSubscription(subject, mark);
            return (Subscription) subscription;
        }, io).whenComplete((s, error) -> {
            if (error != null) {
                subscription.close();
            }
        });
    }

    /** Waits until the server has the SUB: a round trip after it, tried again across a reconnect. */
    private void confirmSubscription(String subject, long mark) {
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        while (true) {
            try {
                roundTrips.roundTrip(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1))).get();
                break;
            } catch (ExecutionException e) {
                if (System.nanoTime() - deadline >= 0 || isClosed()) {
                    throw new CompletionException(new BrokerUnavailableException("NATS at " + link.description()
                            + " did not confirm the subscription to '" + subject + "' within connectTimeout="
                            + config.connectTimeout(), e.getCause()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(new BrokerUnavailableException("interrupted while subscribing to '"
                        + subject + "'", e));
            }
        }
        if (link.violations().refusedSince(PermissionViolations.Kind.SUBSCRIBE, subject, mark)) {
            throw new CompletionException(new BackplaneConfigurationException("NATS at " + link.description()
                    + " refused the subscription to '" + subject
                    + "' (Permissions Violation); allow this user to subscribe to the prefix's subjects"));
        }
    }

    @Override
    protected void doClose() {
        subscriptions.forEach(CoreSubscription::close);
        outbox.close();
        Duration grace = config.publishTimeout().compareTo(Duration.ofSeconds(2)) < 0
                ? config.publishTimeout() : Duration.ofSeconds(2);
        roundTrips.close(grace);
        timer.shutdownNow();
        io.shutdownNow();
        link.close();
        deliveryPool.shutdown();
    }

    /**
     * One subscription: messages of its subject, handed to the subscriber one at a time. At most
     * {@code maxSubscriberBacklog} received messages wait for the subscriber; messages arriving
     * while it is that far behind are dropped, and one {@link Subscriber#onGap} right after the
     * messages kept says how many.
     */
    private final class CoreSubscription implements Subscription {
        private final SubscriberDispatch dispatch;
        volatile io.nats.client.Subscription nats;

        CoreSubscription(String channel, Subscriber subscriber) {
            this.dispatch = SubscriberDispatch.atMostOnce(channel, subscriber, deliveryPool,
                    link.settings().maxSubscriberBacklog(), NatsSettings.MAX_SUBSCRIBER_BACKLOG);
        }

        @Override
        public String channel() {
            return dispatch.channel();
        }

        void onMessage(Message message) {
            dispatch.offer(message.getData() == null ? new byte[0] : message.getData());
        }

        void gap(String reason) {
            dispatch.gap(new Gap(dispatch.channel(), Position.NONE, Position.NONE, reason));
        }

        @Override
        public void close() {
            if (!dispatch.close()) {
                return;
            }
            subscriptions.remove(this);
            io.nats.client.Subscription s = nats;
            if (s != null) {
                try {
                    dispatcher.unsubscribe(s);
                } catch (IllegalStateException e) {
                    // The connection or dispatcher is already closed: nothing left to unsubscribe.
                }
            }
        }
    }
}
