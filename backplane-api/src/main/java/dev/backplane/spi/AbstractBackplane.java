package dev.backplane.spi;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneResources;
import dev.backplane.Capabilities;
import dev.backplane.BackplaneListener;
import dev.backplane.BackplaneMetrics;
import dev.backplane.Channels;
import dev.backplane.Health;
import dev.backplane.Position;
import dev.backplane.Registration;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Base class for transports: checks arguments and the closed state the same way on every
 * transport, so that bad input gets the same clear error everywhere, and leaves the broker work
 * to {@link #doPublish}, {@link #doSubscribe} and {@link #doClose}.
 *
 * <p>The callback-thread rule ({@link BackplaneResources}): the future {@link #doSubscribe}
 * returns is relayed to the caller through {@link #completions}, whatever thread completes it.
 * Publish futures are not relayed (that would cost a hand-over per message): complete them
 * through {@link #completions} or a {@link PublishOutbox}, never directly from an I/O, completion
 * or timer thread. Deliveries go through {@link SubscriberDispatch}, which runs subscribers on the
 * callback executor.
 *
 * <p>Operations: {@link #health()}, {@link #metrics()} and {@link #addListener} are views of the
 * backplane's {@link BackplaneMonitor} ({@link #monitor}). A transport reports its broker
 * connection with {@link #connected()} and {@link #connectionLost(String)}, gives
 * {@link #monitor} to its {@link PublishOutbox}, and hands the subscriber it gets in
 * {@link #doSubscribe} on unchanged to {@link SubscriberDispatch}: that subscriber counts
 * deliveries and gaps, and lets the dispatch report its backlog.
 */
public abstract class AbstractBackplane implements Backplane {

    protected final BackplaneConfig config;
    /** Completes user futures on the callback executor of the config's resources. */
    protected final Completions completions;
    /** This backplane's connection state, counters and events. */
    protected final BackplaneMonitor monitor;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param transport the transport's short name, as its {@link Capabilities#transport()} says
     *     (events and metrics are tagged with it)
     */
    protected AbstractBackplane(BackplaneConfig config, String transport) {
        this.config = Objects.requireNonNull(config, "config");
        this.completions = new Completions(config.resources().callbackExecutor());
        this.monitor = new BackplaneMonitor(Objects.requireNonNull(transport, "transport"), config);
    }

    /** As {@link #AbstractBackplane(BackplaneConfig, String)}, named by {@link #capabilities()} once set. */
    protected AbstractBackplane(BackplaneConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.completions = new Completions(config.resources().callbackExecutor());
        this.monitor = new BackplaneMonitor(() -> {
            Capabilities c = capabilities();
            return c == null ? null : c.transport();
        }, config);
    }

    @Override
    public final CompletableFuture<Position> publish(String channel, byte[] payload) {
        Channels.requireValid(channel);
        Objects.requireNonNull(payload, "payload must not be null (publish an empty array instead)");
        int max = capabilities().maxPayloadBytes();
        if (payload.length > max) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes for channel '" + channel
                    + "' exceeds the maximum of " + max + " bytes of transport " + capabilities().transport());
        }
        ensureOpen();
        return doPublish(channel, payload);
    }

    @Override
    public final CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
        Channels.requireValid(channel);
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        ensureOpen();
        return relayed(doSubscribe(channel, null, monitor.observe(channel, subscriber)));
    }

    @Override
    public final CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
        Channels.requireValid(channel);
        Objects.requireNonNull(from, "from must not be null (use Position.EARLIEST to replay all that is retained)");
        Objects.requireNonNull(subscriber, "subscriber must not be null");
        if (!capabilities().replay()) {
            throw new UnsupportedOperationException("transport " + capabilities().transport()
                    + " does not retain messages and cannot replay from " + from
                    + "; subscribe without a position, or use a transport whose capabilities declare replay");
        }
        if (from.equals(Position.NONE)) {
            throw new IllegalArgumentException("Position.NONE is not a place to replay from; use Position.EARLIEST "
                    + "or a position this transport delivered");
        }
        ensureOpen();
        return relayed(doSubscribe(channel, from, monitor.observe(channel, subscriber)));
    }

    private CompletableFuture<Subscription> relayed(CompletableFuture<Subscription> internal) {
        CompletableFuture<Subscription> result = new CompletableFuture<>();
        completions.relay(internal, result);
        return result;
    }

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                doClose();
            } finally {
                monitor.closed();
            }
        }
    }

    @Override
    public Health health() {
        return monitor.health();
    }

    @Override
    public BackplaneMetrics metrics() {
        return monitor;
    }

    @Override
    public Registration addListener(BackplaneListener listener) {
        return monitor.addListener(listener);
    }

    /**
     * The broker connection is up (the first time, or again after a loss). Call it wherever the
     * transport learns so, from any thread; see {@link BackplaneMonitor#connected()}.
     */
    protected final void connected() {
        monitor.connected();
    }

    /**
     * The broker connection dropped, or an attempt to make it failed, because of {@code cause}.
     * Call it wherever the transport learns so, from any thread; see
     * {@link BackplaneMonitor#connectionLost(String)}.
     */
    protected final void connectionLost(String cause) {
        monitor.connectionLost(cause);
    }

    /** True once {@link #close()} was called. */
    protected final boolean isClosed() {
        return closed.get();
    }

    /** @throws IllegalStateException if closed */
    protected final void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("backplane " + capabilities().transport() + " (" + config.redactedUri()
                    + ") is closed");
        }
    }

    /**
     * Publishes a checked message. Must not block on the broker; fails the future on trouble.
     * Complete the future through {@link #completions} (or a {@link PublishOutbox}), never on a
     * thread of the transport.
     */
    protected abstract CompletableFuture<Position> doPublish(String channel, byte[] payload);

    /**
     * Subscribes with checked arguments; {@code from} is null for a live subscription, otherwise a
     * position to replay after (never {@link Position#NONE}).
     */
    protected abstract CompletableFuture<Subscription> doSubscribe(String channel, Position from, Subscriber subscriber);

    /** Releases everything; called once. */
    protected abstract void doClose();
}
