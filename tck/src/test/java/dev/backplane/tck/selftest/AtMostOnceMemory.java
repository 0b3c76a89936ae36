package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.Capabilities;
import dev.backplane.Delivery;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.AtMostOnceDelivery;
import dev.backplane.spi.ForwardingBackplane;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The memory backplane presented as an at-most-once transport, as Redis pub/sub or core NATS
 * are: deliveries are acknowledged underneath at once (so never redelivered), and every
 * subscription reports a gap after each simulated outage. Correct as built; the two flags switch
 * off one duty each to make the faults {@code noGap} and {@code redeliverAtMostOnce}.
 */
class AtMostOnceMemory extends ForwardingBackplane {

    private final Outages outages;
    private final boolean reportGaps;
    private final boolean acknowledgeUnderneath;
    private final Set<AutoCloseable> listeners = ConcurrentHashMap.newKeySet();

    AtMostOnceMemory(Backplane delegate, Outages outages, boolean reportGaps, boolean acknowledgeUnderneath) {
        super(delegate);
        this.outages = outages;
        this.reportGaps = reportGaps;
        this.acknowledgeUnderneath = acknowledgeUnderneath;
    }

    @Override
    public Capabilities capabilities() {
        Capabilities c = delegate.capabilities();
        return DeclaredCapabilities.changed(c, DeliveryGuarantee.AT_MOST_ONCE, c.replay(), c.maxPayloadBytes());
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
        Serialized serialized = subscriber == null ? null : new Serialized(subscriber);
        return track(channel, serialized, delegate.subscribe(channel, serialized));
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
        Serialized serialized = subscriber == null ? null : new Serialized(subscriber);
        return track(channel, serialized, delegate.subscribe(channel, from, serialized));
    }

    @Override
    public void close() {
        listeners.forEach(AtMostOnceMemory::closeQuietly);
        listeners.clear();
        super.close();
    }

    private CompletableFuture<Subscription> track(String channel, Serialized subscriber,
            CompletableFuture<Subscription> subscribed) {
        return subscribed.thenApply(subscription -> {
            if (!reportGaps) {
                return subscription;
            }
            AutoCloseable listener = outages.onRestart(() -> subscriber.onGap(
                    new Gap(channel, Position.NONE, Position.NONE, "the connection to the memory bus was lost")));
            listeners.add(listener);
            return new ForwardingSubscription(subscription, () -> {
                listeners.remove(listener);
                closeQuietly(listener);
            });
        });
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hands deliveries and gaps over one at a time, since gaps come from the restarting thread. */
    private final class Serialized extends ForwardingSubscriber {
        Serialized(Subscriber target) {
            super(target);
        }

        @Override
        public synchronized void onMessage(Delivery d) {
            if (acknowledgeUnderneath) {
                d.ack();
                target.onMessage(new AtMostOnceDelivery(d.channel(), d.payload(), d.position()));
            } else {
                target.onMessage(d);
            }
        }

        @Override
        public synchronized void onGap(Gap gap) {
            target.onGap(gap);
        }
    }
}
