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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Faults in replay from a position and in acknowledgement. */
final class ReplayAndAckFaults {

    private ReplayAndAckFaults() {
    }

    /** Declares replay and subscribes live whatever position it is given. */
    static final class FakeReplay extends ForwardingBackplane {
        FakeReplay(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            Objects.requireNonNull(from, "from");
            return delegate.subscribe(channel, subscriber);
        }
    }

    /** Replays from the given position inclusive, so the last message seen comes again. */
    static final class InclusiveReplay extends ForwardingBackplane {
        InclusiveReplay(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            Position before = from;
            if (from != null && from.value().matches("[1-9][0-9]{0,17}")) {
                before = Position.of(Long.toString(Long.parseLong(from.value()) - 1));
            }
            return delegate.subscribe(channel, before, subscriber);
        }
    }

    /**
     * Replays what is retained, then drops that subscription and subscribes live 30 ms later:
     * messages published in between are lost at the seam.
     */
    static final class SeamGap extends ForwardingBackplane {
        private static final Executor LATER = CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS);

        SeamGap(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            Objects.requireNonNull(subscriber, "subscriber");
            AtomicBoolean replayOver = new AtomicBoolean();
            Subscriber replayOnly = new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    if (replayOver.get()) {
                        d.ack();
                        return;
                    }
                    target.onMessage(d);
                }
            };
            return delegate.subscribe(channel, from, replayOnly)
                    .thenApplyAsync(replay -> {
                        replayOver.set(true);
                        replay.close();
                        return replay;
                    }, LATER)
                    .thenComposeAsync(replay -> delegate.subscribe(channel, subscriber), LATER);
        }
    }

    /** Treats a position it cannot read as EARLIEST instead of refusing it. */
    static final class ForeignPositionAsEarliest extends ForwardingBackplane {
        ForeignPositionAsEarliest(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            try {
                return delegate.subscribe(channel, from, subscriber);
            } catch (IllegalArgumentException e) {
                return delegate.subscribe(channel, Position.EARLIEST, subscriber);
            }
        }
    }

    /** Declares at-least-once, but acknowledges every delivery itself, so nothing is ever redelivered. */
    static final class NoRedelivery extends ForwardingBackplane {
        NoRedelivery(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    d.ack();
                    target.onMessage(new dev.backplane.spi.AtMostOnceDelivery(d.channel(), d.payload(), d.position()));
                }
            };
        }
    }

    /** Hands out deliveries whose ack() does nothing, so acknowledged ones come again too. */
    static final class IgnoreAck extends ForwardingBackplane {
        IgnoreAck(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    target.onMessage(new ForwardingDelivery(d) {
                        @Override
                        public void ack() {
                            // forgets to acknowledge
                        }
                    });
                }
            };
        }
    }

    /**
     * Starts the ack clock when a delivery is queued for the subscriber, not when it is handed over
     * (what {@code Redeliveries} used to do): deliveries are taken from the correct backplane at
     * once and wait in a queue of their own, so time spent behind a slow delivery counts against
     * the ack timeout of those waiting, and they come again although they are acknowledged.
     */
    static final class AckClockAtEnqueue extends ForwardingBackplane {
        private static final ExecutorService POOL = Executors.newCachedThreadPool(new DaemonThreads("ack-clock-at-enqueue"));

        AckClockAtEnqueue(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            SerialExecutor queue = new SerialExecutor(POOL);
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    queue.execute(() -> target.onMessage(d));
                }

                @Override
                public void onGap(Gap gap) {
                    queue.execute(() -> target.onGap(gap));
                }
            };
        }
    }
}
