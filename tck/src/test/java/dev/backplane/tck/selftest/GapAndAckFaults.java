package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.ForwardingBackplane;
import dev.backplane.spi.SerialExecutor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults in reporting lost history, in replay from the newest position and in the flags and
 * bytes of redeliveries.
 */
final class GapAndAckFaults {

    private GapAndAckFaults() {
    }

    /** A subscription whose subscriber threw from onGap gets nothing more. */
    static final class StopOnGapThrow extends ForwardingBackplane {
        StopOnGapThrow(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            AtomicBoolean dead = new AtomicBoolean();
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    if (dead.get()) {
                        d.ack();
                        return;
                    }
                    target.onMessage(d);
                }

                @Override
                public void onGap(Gap gap) {
                    try {
                        target.onGap(gap);
                    } catch (RuntimeException e) {
                        dead.set(true);
                    }
                }
            };
        }
    }

    /** Never calls onGap: lost history goes unreported. */
    static final class IgnoreGaps extends ForwardingBackplane {
        IgnoreGaps(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onGap(Gap gap) {
                    // swallowed
                }
            };
        }
    }

    /**
     * Takes deliveries off the broker at once into a backlog of its own of 100 per subscription,
     * and drops, without a gap, what arrives while the backlog is full.
     */
    static final class SilentBacklogDrop extends ForwardingBackplane {
        static final int BACKLOG = 10;
        private static final ExecutorService POOL = Executors.newCachedThreadPool(new DaemonThreads("faulty-backlog"));

        SilentBacklogDrop(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            SerialExecutor queue = new SerialExecutor(POOL);
            AtomicInteger queued = new AtomicInteger();
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    if (queued.incrementAndGet() > BACKLOG) {
                        queued.decrementAndGet();
                        d.ack();
                        return;
                    }
                    queue.execute(() -> {
                        try {
                            target.onMessage(d);
                        } finally {
                            queued.decrementAndGet();
                        }
                    });
                }

                @Override
                public void onGap(Gap gap) {
                    queue.execute(() -> target.onGap(gap));
                }
            };
        }
    }

    /** Replays from the newest position inclusive: the message at that position comes again. */
    static final class NewestInclusive extends ForwardingBackplane {
        private static final Map<String, Position> NEWEST = new ConcurrentHashMap<>();
        private final String scope;

        NewestInclusive(Backplane delegate, String scope) {
            super(delegate);
            this.scope = scope;
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            return delegate.publish(channel, payload).thenApply(p -> {
                NEWEST.merge(scope + "/" + channel, p, (old, now) ->
                        Long.parseLong(now.value()) > Long.parseLong(old.value()) ? now : old);
                return p;
            });
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            if (from != null && from.equals(NEWEST.get(scope + "/" + channel))) {
                long before = Long.parseLong(from.value()) - 1;
                return delegate.subscribe(channel, before == 0 ? Position.EARLIEST : Position.of(Long.toString(before)),
                        subscriber);
            }
            return delegate.subscribe(channel, from, subscriber);
        }
    }

    /** Once a subscription has had a redelivery, every later delivery to it is flagged redelivered. */
    static final class StickyRedelivered extends ForwardingBackplane {
        StickyRedelivered(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            AtomicBoolean seen = new AtomicBoolean();
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    if (d.redelivered()) {
                        seen.set(true);
                    }
                    target.onMessage(!seen.get() ? d : new ForwardingDelivery(d) {
                        @Override
                        public boolean redelivered() {
                            return true;
                        }
                    });
                }
            };
        }
    }

    /** Hands a redelivery the same array as the first delivery of the message, whatever the handler wrote into it. */
    static final class RedeliverScribbledArray extends ForwardingBackplane {
        RedeliverScribbledArray(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            Map<String, byte[]> handedOut = new ConcurrentHashMap<>();
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    byte[] array = handedOut.computeIfAbsent(d.position().value(), k -> d.payload());
                    target.onMessage(new ForwardingDelivery(d) {
                        @Override
                        public byte[] payload() {
                            return array;
                        }
                    });
                }
            };
        }
    }

    /** ack() throws once the delivery's subscription is closed, as a client whose channel is gone does. */
    static final class AckAfterCloseThrows extends ForwardingBackplane {
        AckAfterCloseThrows(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            java.util.Objects.requireNonNull(subscriber, "subscriber");
            AtomicBoolean closed = new AtomicBoolean();
            Subscriber checking = new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    target.onMessage(new ForwardingDelivery(d) {
                        @Override
                        public void ack() {
                            if (closed.get()) {
                                throw new IllegalStateException("the subscription of this delivery is closed");
                            }
                            super.ack();
                        }
                    });
                }
            };
            return delegate.subscribe(channel, checking)
                    .thenApply(s -> new ForwardingSubscription(s, () -> closed.set(true)));
        }
    }
}
