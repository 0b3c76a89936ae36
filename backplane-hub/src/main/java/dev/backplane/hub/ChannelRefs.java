package dev.backplane.hub;

import dev.backplane.Backplane;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Subscriptions held by reference count: a group or user channel is subscribed while at least one
 * local connection needs it, and closed when the last one leaves.
 */
final class ChannelRefs {

    private static final System.Logger LOG = System.getLogger(ChannelRefs.class.getName());

    private final Backplane backplane;
    private final Function<String, Subscriber> subscriberFor;
    private final Map<String, Ref> refs = new HashMap<>();

    private static final class Ref {
        int count;
        final CompletableFuture<Subscription> subscription;

        Ref(CompletableFuture<Subscription> subscription) {
            this.subscription = subscription;
        }
    }

    ChannelRefs(Backplane backplane, Function<String, Subscriber> subscriberFor) {
        this.backplane = backplane;
        this.subscriberFor = subscriberFor;
    }

    /** Takes a reference; completes when the channel's subscription is active. */
    synchronized CompletableFuture<Void> acquire(String channel) {
        Ref ref = refs.get(channel);
        if (ref == null) {
            CompletableFuture<Subscription> subscribing;
            try {
                subscribing = backplane.subscribe(channel, subscriberFor.apply(channel));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            Ref created = new Ref(subscribing);
            refs.put(channel, created);
            // A failed subscribe must not stay cached: the next acquire tries again.
            subscribing.whenComplete((s, e) -> {
                if (e != null) {
                    synchronized (this) {
                        refs.remove(channel, created);
                    }
                }
            });
            ref = created;
        }
        ref.count++;
        return ref.subscription.thenApply(s -> null);
    }

    /** Drops a reference; the last one closes the subscription. */
    synchronized void release(String channel) {
        Ref ref = refs.get(channel);
        if (ref == null) {
            return;
        }
        if (--ref.count == 0) {
            refs.remove(channel);
            ref.subscription.thenAccept(ChannelRefs::closeQuietly);
        }
    }

    /** The channels currently held. */
    synchronized java.util.Set<String> channels() {
        return java.util.Set.copyOf(refs.keySet());
    }

    synchronized void closeAll() {
        refs.values().forEach(ref -> ref.subscription.thenAccept(ChannelRefs::closeQuietly));
        refs.clear();
    }

    static void closeQuietly(Subscription s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing subscription of '" + s.channel() + "' failed", e);
        }
    }
}
