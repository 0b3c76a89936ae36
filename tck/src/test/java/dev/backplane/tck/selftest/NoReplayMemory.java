package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.Capabilities;
import dev.backplane.Channels;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.ForwardingBackplane;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The memory backplane presented as a transport without replay. Correct as built: subscribing
 * from a position is refused naming the transport; {@code refuse=false} makes the fault
 * {@code replayNotRefused}, which quietly subscribes live instead.
 */
class NoReplayMemory extends ForwardingBackplane {

    private final boolean refuse;

    NoReplayMemory(Backplane delegate, boolean refuse) {
        super(delegate);
        this.refuse = refuse;
    }

    @Override
    public Capabilities capabilities() {
        Capabilities c = delegate.capabilities();
        return DeclaredCapabilities.changed(c, c.guarantee(), false, c.maxPayloadBytes());
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
        Channels.requireValid(channel);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(subscriber, "subscriber");
        if (refuse) {
            throw new UnsupportedOperationException("transport " + capabilities().transport()
                    + " does not retain messages and cannot replay from " + from + "; subscribe without a position");
        }
        return delegate.subscribe(channel, subscriber);
    }
}
