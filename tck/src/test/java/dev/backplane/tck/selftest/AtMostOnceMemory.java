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
 * subscription reports a gap after each simulated outage. Correct as built with
 * {@link Gaps#PER_SUBSCRIPTION} and acknowledgement underneath; the other choices make the faults
 * {@code noGap}, {@code gapToFirstSubscriptionOnly}, {@code gapNamesFirstChannel} and
 * {@code redeliverAtMostOnce}.
 */
class AtMostOnceMemory extends ForwardingBackplane {

    /** How gaps are reported after an outage. */
    enum Gaps {
        /** To every subscription, naming its channel: correct. */
        PER_SUBSCRIPTION,
        /** Not at all. */
        NONE,
        /** To the instance's first subscription only, as a connection-level event would be. */
        FIRST_SUBSCRIPTION_ONLY,
        /** To every subscription, naming the channel of the instance's first subscription. */
        FIRST_CHANNEL_TO_ALL
    }

    private final Outages outages;
    private final Gaps gaps;
    private final boolean acknowledgeUnderneath;
    private final Set<AutoCloseable> listeners = ConcurrentHashMap.newKeySet();
    private volatile String firstChannel;

    AtMostOnceMemory(Backplane delegate, Outages outages, Gaps gaps, boolean acknowledgeUnderneath) {
        super(delegate);
        this.outages = outages;
        this.gaps = gaps;
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
            boolean first;
            synchronized (this) {
                first = firstChannel == null;
                if (first) {
                    firstChannel = channel;
                }
            }
            if (gaps == Gaps.NONE || (gaps == Gaps.FIRST_SUBSCRIPTION_ONLY && !first)) {
                return subscription;
            }
            String named = gaps == Gaps.FIRST_CHANNEL_TO_ALL ? firstChannel : channel;
            AutoCloseable listener = outages.onRestart(() -> subscriber.onGap(
                    new Gap(named, Position.NONE, Position.NONE, "the connection to the memory bus was lost")));
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
            try {
                target.onGap(gap);
            } catch (RuntimeException e) {
                // a subscriber's failure is its own; the restart goes on for the others
            }
        }
    }
}
