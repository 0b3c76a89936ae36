package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.Channels;
import dev.backplane.Delivery;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.ForwardingBackplane;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Faults in how a backplane lives through a broker outage. */
final class OutageFaults {

    private OutageFaults() {
    }

    /** While the broker is down, publish returns a future that never completes. */
    static final class HangOnOutage extends ForwardingBackplane {
        private final Outages outages;

        HangOnOutage(Backplane delegate, Outages outages) {
            super(delegate);
            this.outages = outages;
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            return outages.running() ? delegate.publish(channel, payload) : new CompletableFuture<>();
        }
    }

    /** While the broker is down, publish reports success and drops the message. */
    static final class AckThenLose extends ForwardingBackplane {
        private final Outages outages;

        AckThenLose(Backplane delegate, Outages outages) {
            super(delegate);
            this.outages = outages;
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            if (outages.running()) {
                return delegate.publish(channel, payload);
            }
            Channels.requireValid(channel);
            Objects.requireNonNull(payload, "payload");
            return CompletableFuture.completedFuture(Position.NONE);
        }
    }

    /** Subscriptions made before an outage receive nothing after it began. */
    static final class NoResubscribe extends ForwardingBackplane {
        private final Outages outages;

        NoResubscribe(Backplane delegate, Outages outages) {
            super(delegate);
            this.outages = outages;
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            return fromEpoch(outages, outages.epoch(), subscriber);
        }
    }

    /** A subscriber that acknowledges and drops everything once an outage after {@code epoch} began. */
    static Subscriber fromEpoch(Outages outages, int epoch, Subscriber subscriber) {
        return new ForwardingSubscriber(subscriber) {
            @Override
            public void onMessage(Delivery d) {
                if (outages.epoch() != epoch) {
                    d.ack();
                    return;
                }
                target.onMessage(d);
            }
        };
    }

    /**
     * After an outage, subscriptions start again from the newest message instead of from where
     * they were: what was accepted and not yet consumed is skipped.
     */
    static final class ResumeFromLatest extends ForwardingBackplane {
        private final Outages outages;
        private final Set<AutoCloseable> listeners = ConcurrentHashMap.newKeySet();

        ResumeFromLatest(Backplane delegate, Outages outages) {
            super(delegate);
            this.outages = outages;
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            Objects.requireNonNull(subscriber, "subscriber");
            return delegate.subscribe(channel, fromEpoch(outages, outages.epoch(), subscriber)).thenApply(first -> {
                Subscription[] current = {first};
                AutoCloseable listener = outages.onRestart(() -> {
                    current[0].close();
                    current[0] = delegate.subscribe(channel, fromEpoch(outages, outages.epoch(), subscriber)).join();
                });
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
            listeners.forEach(ResumeFromLatest::closeQuietly);
            super.close();
        }

        private static void closeQuietly(AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
