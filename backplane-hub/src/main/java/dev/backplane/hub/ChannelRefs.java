package dev.backplane.hub;

import dev.backplane.Backplane;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscriptions held by reference count: a group or user channel is subscribed while at least one
 * local connection needs it, and closed when the last one leaves.
 *
 * <p>The count belongs to the holders, not to one subscription attempt: a subscribe that failed
 * stays counted (its holders will release it), and the next {@link #acquire} tries again. A
 * subscription still being made when its last holder leaves is closed as soon as it is active.
 */
final class ChannelRefs {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelRefs.class);

    private final Backplane backplane;
    private final Function<String, Subscriber> subscriberFor;
    private final Map<String, Ref> refs = new HashMap<>();

    private static final class Ref {
        int count;
        CompletableFuture<Subscription> subscription;
    }

    ChannelRefs(Backplane backplane, Function<String, Subscriber> subscriberFor) {
        this.backplane = backplane;
        this.subscriberFor = subscriberFor;
    }

    /**
     * Takes a reference, which the caller must {@link #release} whatever the outcome; completes when
     * the channel's subscription is active, fails when subscribing failed.
     */
    synchronized CompletableFuture<Void> acquire(String channel) {
        Ref ref = refs.computeIfAbsent(channel, c -> new Ref());
        ref.count++;
        if (ref.subscription == null || ref.subscription.isCompletedExceptionally()) {
            try {
                ref.subscription = backplane.subscribe(channel, subscriberFor.apply(channel));
            } catch (RuntimeException e) {
                ref.subscription = CompletableFuture.failedFuture(e);
            }
        }
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
    synchronized Set<String> channels() {
        return Set.copyOf(refs.keySet());
    }

    /** How many holders a channel has; 0 if none. */
    synchronized int count(String channel) {
        Ref ref = refs.get(channel);
        return ref == null ? 0 : ref.count;
    }

    synchronized void closeAll() {
        refs.values().forEach(ref -> ref.subscription.thenAccept(ChannelRefs::closeQuietly));
        refs.clear();
    }

    static void closeQuietly(Subscription s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.debug("closing subscription of '" + s.channel() + "' failed", e);
        }
    }
}
