package dev.backplane.spi;

import dev.backplane.Backplane;
import dev.backplane.BackplaneListener;
import dev.backplane.BackplaneMetrics;
import dev.backplane.Capabilities;
import dev.backplane.Health;
import dev.backplane.Position;
import dev.backplane.Registration;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Base class for decorators that add metrics, tracing or faults to another backplane. Every
 * method forwards to the delegate unchanged; a decorator overrides only what it adds to. To act
 * on deliveries, override {@link #wrap(String, Subscriber)}: both {@code subscribe} methods hand
 * the delegate the subscriber it returns.
 *
 * <p>Arguments are checked by the delegate, so a decorator answers bad input exactly as the
 * backplane it wraps; a {@code null} subscriber is passed on as is rather than wrapped, for the
 * same reason. Closing the decorator closes the delegate.
 */
public abstract class ForwardingBackplane implements Backplane {

    /** The backplane every call goes to. */
    protected final Backplane delegate;

    /**
     * @param delegate the backplane every call goes to
     */
    protected ForwardingBackplane(Backplane delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Capabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public CompletableFuture<Position> publish(String channel, byte[] payload) {
        return delegate.publish(channel, payload);
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
        return delegate.subscribe(channel, subscriber == null ? null : wrap(channel, subscriber));
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
        return delegate.subscribe(channel, from, subscriber == null ? null : wrap(channel, subscriber));
    }

    @Override
    public Health health() {
        return delegate.health();
    }

    @Override
    public BackplaneMetrics metrics() {
        return delegate.metrics();
    }

    @Override
    public Registration addListener(BackplaneListener listener) {
        return delegate.addListener(listener);
    }

    @Override
    public void close() {
        delegate.close();
    }

    /**
     * The subscriber the delegate gets in place of {@code subscriber}, on either {@code subscribe}
     * method; {@code subscriber} itself unless a decorator overrides this.
     *
     * @param channel the channel being subscribed to
     * @param subscriber the caller's subscriber, never {@code null}
     */
    protected Subscriber wrap(String channel, Subscriber subscriber) {
        return subscriber;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " over " + delegate;
    }
}
