package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Channels;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.ForwardingBackplane;
import dev.backplane.tck.KitTimeouts;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Faults in how a backplane behaves around broker restarts that the basic outage rules let through. */
final class RestartFaults {

    private RestartFaults() {
    }

    /** While the broker is down, the publish call itself blocks for half the publish timeout before failing. */
    static final class BlockingPublishOnOutage extends ForwardingBackplane {
        private final Outages outages;

        BlockingPublishOnOutage(Backplane delegate, Outages outages) {
            super(delegate);
            this.outages = outages;
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            if (!outages.running()) {
                try {
                    Thread.sleep(KitTimeouts.publish().dividedBy(2).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return delegate.publish(channel, payload);
        }
    }

    /** Base of the faults that act on every subscription when the broker comes back. */
    private abstract static class OnRestart extends ForwardingBackplane {
        final Outages outages;
        private final Set<AutoCloseable> listeners = ConcurrentHashMap.newKeySet();

        OnRestart(Backplane delegate, Outages outages) {
            super(delegate);
            this.outages = outages;
        }

        /** What happens to a subscription made before the restart, when the broker is back. */
        abstract Subscription restarted(String channel, Subscriber subscriber, Subscription current);

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            Objects.requireNonNull(subscriber, "subscriber");
            Subscriber serial = serialized(subscriber);
            return delegate.subscribe(channel, serial).thenApply(first -> {
                Subscription[] current = {first};
                AutoCloseable listener = outages.onRestart(() -> current[0] = restarted(channel, serial, current[0]));
                listeners.add(listener);
                return new Subscription() {
                    @Override
                    public String channel() {
                        return channel;
                    }

                    @Override
                    public void close() {
                        listeners.remove(listener);
                        closeQuietly(listener);
                        current[0].close();
                    }
                };
            });
        }

        @Override
        public void close() {
            listeners.forEach(OnRestart::closeQuietly);
            super.close();
        }

        private static void closeQuietly(AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** One call at a time, whichever broker subscription it comes from. */
        private static Subscriber serialized(Subscriber subscriber) {
            return new ForwardingSubscriber(subscriber) {
                @Override
                public synchronized void onMessage(Delivery d) {
                    target.onMessage(d);
                }

                @Override
                public synchronized void onGap(Gap gap) {
                    target.onGap(gap);
                }
            };
        }
    }

    /** After a restart, subscribes every subscription again without dropping the one that resumes by itself. */
    static final class DoubleResubscribe extends OnRestart {
        DoubleResubscribe(Backplane delegate, Outages outages) {
            super(delegate, outages);
        }

        @Override
        Subscription restarted(String channel, Subscriber subscriber, Subscription current) {
            Subscription again = delegate.subscribe(channel, subscriber).join();
            return new ForwardingSubscription(again, current::close);
        }
    }

    /** After a restart, every subscription starts again from the oldest retained message. */
    static final class ReplayAfterRestart extends OnRestart {
        ReplayAfterRestart(Backplane delegate, Outages outages) {
            super(delegate, outages);
        }

        @Override
        Subscription restarted(String channel, Subscriber subscriber, Subscription current) {
            current.close();
            return delegate.subscribe(channel, Position.EARLIEST, subscriber).join();
        }
    }

    /**
     * A reconnect loop that gives up: subscriptions get nothing more after an outage longer than
     * the publish timeout.
     */
    static final class GiveUpAfterLongOutage extends ForwardingBackplane {
        private final Outages outages;
        private final Duration publishTimeout;

        GiveUpAfterLongOutage(Backplane delegate, Outages outages, Duration publishTimeout) {
            super(delegate);
            this.outages = outages;
            this.publishTimeout = publishTimeout;
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            int epoch = outages.epoch();
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    if (outages.longestOutageSince(epoch) > publishTimeout.toNanos()) {
                        d.ack();
                        return;
                    }
                    target.onMessage(d);
                }
            };
        }
    }

    /**
     * Reports a publish accepted at once and hands it to the broker 20 ms later, dropping it if the
     * broker is down by then.
     */
    static final class AckBeforeSend extends ForwardingBackplane {
        AckBeforeSend(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            Channels.requireValid(channel);
            Objects.requireNonNull(payload, "payload");
            byte[] copy = payload.clone();
            CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(() -> {
                try {
                    delegate.publish(channel, copy);
                } catch (BrokerUnavailableException | IllegalStateException e) {
                    // dropped: the caller was told it was accepted
                }
            });
            return CompletableFuture.completedFuture(Position.NONE);
        }
    }
}
