package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.Capabilities;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.util.concurrent.CompletableFuture;

/**
 * A backplane that hands every call to another one; the faulty variants override what they break.
 * Arguments are checked by the delegate, a correct memory backplane, unless a variant intercepts them.
 */
class ForwardingBackplane implements Backplane {

    protected final Backplane delegate;

    ForwardingBackplane(Backplane delegate) {
        this.delegate = delegate;
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
    public void close() {
        delegate.close();
    }

    /** The subscriber the delegate gets for {@code subscriber}; itself unless a variant says otherwise. */
    protected Subscriber wrap(String channel, Subscriber subscriber) {
        return subscriber;
    }

    /** Capabilities as the delegate's, with another guarantee, replay flag or maximum. */
    static Capabilities withCapabilities(Capabilities c, dev.backplane.DeliveryGuarantee guarantee, boolean replay,
            int maxPayloadBytes) {
        return new Capabilities(c.transport(), guarantee, replay, c.orderedPerPublisher(), maxPayloadBytes,
                c.cheapChannels());
    }
}
