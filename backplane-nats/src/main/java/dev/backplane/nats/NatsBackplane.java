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
import dev.backplane.spi.PendingPublish;
import dev.backplane.spi.PublishOutbox;
import dev.backplane.spi.SubscriberDispatch;
import dev.backplane.spi.Ticker;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.api.ServerInfo;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Core NATS: every channel is a subject ({@link Subjects}), published and subscribed with plain
 * NATS operations. At most once: the server keeps nothing, so a message published while a
 * subscriber's connection is down is lost for it, which the subscriber learns through
 * {@link Subscriber#onGap} once its connection is back. No replay. Order per publisher holds
 * because NATS keeps a connection's messages in order and the {@link PublishOutbox} hands
 * publishes to the client in call order ({@link OutboxWriter}).
 *
 * <p>A publish is settled through the outbox: it succeeds once a PING/PONG round trip after it
 * came back ({@link RoundTrips}, {@link PublishConfirmation}); the outbox fails it at its deadline
 * otherwise, as not sent if it never left, as of unknown outcome if it did. A subscription is
 * confirmed by a round trip too. No thread of this class runs user code: futures complete and
 * subscribers run on the callback executor of the configuration's resources.
 */
final class NatsBackplane extends AbstractBackplane {

    private final NatsLink link;
    private final Subjects subjects;
    private final Capabilities capabilities;
    private final Dispatcher dispatcher;
    private final PublishOutbox outbox;
    private final OutboxWriter writer;
    private final RoundTrips roundTrips;
    private final Set<CoreSubscription> subscriptions = ConcurrentHashMap.newKeySet();

    NatsBackplane(BackplaneConfig config, NatsLink link) {
        super(config);
        this.link = link;
        this.subjects = new Subjects(config.prefix());
        long serverMax = link.connection().getServerInfo().getMaxPayload();
        int maxPayload = (int) Math.min(serverMax > 0 ? serverMax : 1 << 20, Integer.MAX_VALUE - 8);
        this.capabilities = new Capabilities("nats", DeliveryGuarantee.AT_MOST_ONCE, false, true, maxPayload, true);
        this.dispatcher = link.connection().createDispatcher();
        this.roundTrips = new RoundTrips(link, "backplane-nats-round-trips");
        this.outbox = new PublishOutbox("NATS at " + link.description(), config, completions,
                config.resources().scheduler(), Ticker.SYSTEM, monitor);
        this.writer = new OutboxWriter(outbox, link::connected, this::write, config.resources().scheduler(), link::execute);
        link.onDisconnected(() -> outbox.unavailable("the connection to NATS at " + link.description() + " is down"));
        link.onReconnected(this::afterReconnect);
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
        PendingPublish publish = outbox.submit(channel, payload.clone());
        writer.drain();
        return publish.future();
    }

    /** Hands a publish to jnats and asks for the round trip that confirms it. */
    private OutboxWriter.Result write(PendingPublish publish) {
        Connection connection = link.connection();
        String subject = subjects.subject(publish.channel());
        long mark = link.violations().mark();
        ServerInfo writtenOn = link.serverConnection();
        try {
            connection.publish(subject, publish.payload());
        } catch (IllegalStateException e) {
            if (connection.getStatus() == Connection.Status.CLOSED) {
                outbox.fail(publish, new BrokerUnavailableException("the NATS connection to " + link.description()
                        + " is closed; the publish to '" + subject + "' was not sent", e));
                return OutboxWriter.Result.SETTLED;
            }
            // Disconnected (no reconnect buffer) or the write queue stayed full: nothing was queued.
            return OutboxWriter.Result.REFUSED;
        } catch (IllegalArgumentException e) {
            outbox.fail(publish, e);
            return OutboxWriter.Result.SETTLED;
        }
        roundTrips.add(new PublishConfirmation(publish, outbox, link, subject, mark, writtenOn));
        return OutboxWriter.Result.WRITTEN;
    }

    /** On the connection's event thread: what waited goes out, then every subscription hears of the gap. */
    private void afterReconnect() {
        outbox.unavailable(null);
        writer.drain();
        // jnats re-sent every SUB on the new connection; once a round trip is back they are active.
        // Reported as a gap whether or not it comes back in time: messages may have been lost either way.
        roundTrips.roundTrip(config.connectTimeout()).whenComplete((connection, error) -> subscriptions.forEach(
                s -> s.gap("the connection to NATS at " + link.description()
                        + " was lost and re-established; messages published in between were not delivered")));
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
        CompletableFuture<Subscription> confirmed = new CompletableFuture<>();
        confirm(subscription, subject, mark, System.nanoTime() + config.connectTimeout().toNanos(), confirmed);
        return confirmed.whenComplete((s, error) -> {
            if (error != null) {
                subscription.close();
            }
        });
    }

    /**
     * Completes {@code confirmed} once the server has the SUB: a round trip after it, asked again
     * across a reconnect until {@code deadline}. Runs on the round-trip thread, never blocking it.
     */
    private void confirm(CoreSubscription subscription, String subject, long mark, long deadline,
            CompletableFuture<Subscription> confirmed) {
        roundTrips.roundTrip(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1))).whenComplete((r, error) -> {
            if (error != null) {
                if (System.nanoTime() - deadline >= 0 || isClosed()) {
                    confirmed.completeExceptionally(new BrokerUnavailableException("NATS at " + link.description()
                            + " did not confirm the subscription to '" + subject + "' within connectTimeout="
                            + config.connectTimeout(), error));
                } else {
                    confirm(subscription, subject, mark, deadline, confirmed);
                }
            } else if (link.violations().refusedSince(PermissionViolations.Kind.SUBSCRIBE, subject, mark)) {
                confirmed.completeExceptionally(new BackplaneConfigurationException("NATS at " + link.description()
                        + " refused the subscription to '" + subject
                        + "' (Permissions Violation); allow this user to subscribe to the prefix's subjects"));
            } else {
                confirmed.complete(subscription);
            }
        });
    }

    @Override
    protected void doClose() {
        subscriptions.forEach(CoreSubscription::close);
        // Publishes already made may still be confirmed: a round trip or two.
        Duration grace = config.publishTimeout().compareTo(Duration.ofSeconds(2)) < 0
                ? config.publishTimeout() : Duration.ofSeconds(2);
        outbox.awaitSettled(grace);
        outbox.close();
        roundTrips.close();
        link.close();
    }

    /**
     * One subscription: messages of its subject, handed to the subscriber one at a time on the
     * callback executor. At most {@code maxSubscriberBacklog} received messages wait for the
     * subscriber; messages arriving while it is that far behind are dropped, and one
     * {@link Subscriber#onGap} right after the messages kept says how many.
     */
    private final class CoreSubscription implements Subscription {
        private final SubscriberDispatch dispatch;
        volatile io.nats.client.Subscription nats;

        CoreSubscription(String channel, Subscriber subscriber) {
            this.dispatch = SubscriberDispatch.atMostOnce(channel, subscriber, config);
        }

        @Override
        public String channel() {
            return dispatch.channel();
        }

        void onMessage(Message message) {
            byte[] data = message.getData();
            dispatch.offer(data == null ? new byte[0] : data);
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
