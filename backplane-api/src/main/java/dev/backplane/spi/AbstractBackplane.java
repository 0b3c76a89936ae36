package dev.backplane.spi;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneResources;
import dev.backplane.Capabilities;
import dev.backplane.Channels;
import dev.backplane.Position;
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
 */
public abstract class AbstractBackplane implements Backplane {

    protected final BackplaneConfig config;
    /** Completes user futures on the callback executor of the config's resources. */
    protected final Completions completions;
    private final AtomicBoolean closed = new AtomicBoolean();

    protected AbstractBackplane(BackplaneConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.completions = new Completions(config.resources().callbackExecutor());
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
        return relayed(doSubscribe(channel, null, subscriber));
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
        return relayed(doSubscribe(channel, from, subscriber));
    }

    private CompletableFuture<Subscription> relayed(CompletableFuture<Subscription> internal) {
        CompletableFuture<Subscription> result = new CompletableFuture<>();
        completions.relay(internal, result);
        return result;
    }

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            doClose();
        }
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
