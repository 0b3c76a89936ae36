package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.Capabilities;
import dev.backplane.Channels;
import dev.backplane.Delivery;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.ForwardingBackplane;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Faults in what the calls accept, when subscriptions start and stop, and what close does. */
final class CallFaults {

    private CallFaults() {
    }

    /** Maps illegal channel names onto legal ones instead of refusing them. */
    static final class LenientNames extends ForwardingBackplane {
        LenientNames(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            return delegate.publish(sanitize(channel), payload);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            return delegate.subscribe(sanitize(channel), subscriber);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            return delegate.subscribe(sanitize(channel), from, subscriber);
        }

        private static String sanitize(String channel) {
            if (channel == null) {
                return null;
            }
            String s = channel.replaceAll("[^A-Za-z0-9_.:@=+-]", "_").replaceAll("\\.+", ".");
            s = s.length() > Channels.MAX_CHANNEL_LENGTH ? s.substring(0, Channels.MAX_CHANNEL_LENGTH) : s;
            if (s.startsWith(".")) {
                s = "_" + s.substring(1);
            }
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1) + "_";
            }
            return s.isEmpty() ? "_" : s;
        }
    }

    /** Publishes a null payload as an empty one and subscribes a null subscriber as one that ignores all. */
    static final class NullAsEmpty extends ForwardingBackplane {
        NullAsEmpty(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            return delegate.publish(channel, payload == null ? new byte[0] : payload);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            return delegate.subscribe(channel, subscriber == null ? Delivery::ack : subscriber);
        }
    }

    /** Declares a maximum payload of 1024 bytes and does not enforce it. */
    static final class Oversize extends ForwardingBackplane {
        Oversize(Backplane delegate) {
            super(delegate);
        }

        @Override
        public Capabilities capabilities() {
            Capabilities c = delegate.capabilities();
            return DeclaredCapabilities.changed(c, c.guarantee(), c.replay(), 1024);
        }
    }

    /** Completes subscribe at once and subscribes on the broker 200 ms later. */
    static final class EarlySubscribe extends ForwardingBackplane {
        EarlySubscribe(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            Channels.requireValid(channel);
            Objects.requireNonNull(subscriber, "subscriber");
            CompletableFuture<Subscription> later = CompletableFuture.supplyAsync(() -> channel,
                    CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))
                    .thenCompose(c -> delegate.subscribe(c, subscriber));
            return CompletableFuture.completedFuture(new Subscription() {
                @Override
                public String channel() {
                    return channel;
                }

                @Override
                public void close() {
                    later.thenAccept(Subscription::close);
                }
            });
        }
    }

    /** Subscriptions whose close() does nothing. */
    static final class DeliverAfterUnsubscribe extends ForwardingBackplane {
        DeliverAfterUnsubscribe(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            return delegate.subscribe(channel, subscriber).thenApply(s -> new Subscription() {
                @Override
                public String channel() {
                    return s.channel();
                }

                @Override
                public void close() {
                    // forgets to unsubscribe
                }
            });
        }
    }

    /** Closing one subscription of a channel closes every subscription of it on this instance. */
    static final class UnsubscribeAll extends ForwardingBackplane {
        private final Map<String, List<Subscription>> byChannel = new ConcurrentHashMap<>();

        UnsubscribeAll(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            return delegate.subscribe(channel, subscriber).thenApply(s -> {
                byChannel.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(s);
                return new ForwardingSubscription(s, () -> byChannel.getOrDefault(channel, List.of())
                        .forEach(Subscription::close));
            });
        }
    }

    /** Publishes, but the returned future never completes. */
    static final class NeverAcknowledgePublish extends ForwardingBackplane {
        NeverAcknowledgePublish(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            delegate.publish(channel, payload);
            return new CompletableFuture<>();
        }
    }

    /** Stops delivering to a subscriber for good once it has thrown. */
    static final class StopOnThrow extends ForwardingBackplane {
        StopOnThrow(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            AtomicBoolean threw = new AtomicBoolean();
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    if (threw.get()) {
                        d.ack();
                        return;
                    }
                    try {
                        target.onMessage(d);
                    } catch (RuntimeException e) {
                        threw.set(true);
                        throw e;
                    }
                }
            };
        }
    }

    /** Refuses calls after close() but leaves the broker connection and its subscriptions running. */
    static final class CloseKeepsSubscriptions extends ForwardingBackplane {
        private volatile boolean closed;

        CloseKeepsSubscriptions(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            requireOpen();
            return super.publish(channel, payload);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            requireOpen();
            return super.subscribe(channel, subscriber);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            requireOpen();
            return super.subscribe(channel, from, subscriber);
        }

        private void requireOpen() {
            if (closed) {
                throw new IllegalStateException("backplane is closed");
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** After close(), publish reports success without sending and subscribe returns a dead subscription. */
    static final class ClosedSilently extends ForwardingBackplane {
        private volatile boolean closed;

        ClosedSilently(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            return closed ? CompletableFuture.completedFuture(Position.NONE) : super.publish(channel, payload);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            return closed ? CompletableFuture.completedFuture(dead(channel)) : super.subscribe(channel, subscriber);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            return closed ? CompletableFuture.completedFuture(dead(channel)) : super.subscribe(channel, from, subscriber);
        }

        private static Subscription dead(String channel) {
            return new Subscription() {
                @Override
                public String channel() {
                    return channel;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
            closed = true;
            super.close();
        }
    }

    /** Completes publish futures 50 ms late on a timer, and drops the pending ones on close(). */
    static final class PendingOnClose extends ForwardingBackplane {
        private final ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(new DaemonThreads("faulty-pending"));

        PendingOnClose(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            CompletableFuture<Position> sent = delegate.publish(channel, payload);
            CompletableFuture<Position> late = new CompletableFuture<>();
            timer.schedule(() -> sent.whenComplete((p, e) -> {
                if (e != null) {
                    late.completeExceptionally(e);
                } else {
                    late.complete(p);
                }
            }), 50, TimeUnit.MILLISECONDS);
            return late;
        }

        @Override
        public void close() {
            timer.shutdownNow();
            super.close();
        }
    }
}
