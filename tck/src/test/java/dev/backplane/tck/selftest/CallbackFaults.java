package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.ForwardingBackplane;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Faults in where user code runs and how much a slow subscriber may hold: the callback-thread rule and flow control. */
final class CallbackFaults {

    private CallbackFaults() {
    }

    /**
     * Completes every future and calls every subscriber on one thread of its own, as a transport
     * that lends its I/O or completion thread to user code: a callback that waits on another of
     * its futures waits for itself. Futures complete a few milliseconds late, as after a round
     * trip to a broker.
     */
    static final class OneCallbackThread extends ForwardingBackplane {
        private final ScheduledExecutorService thread =
                Executors.newSingleThreadScheduledExecutor(new DaemonThreads("one-callback-thread"));

        OneCallbackThread(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            return handOver(delegate.publish(channel, payload));
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            return handOver(super.subscribe(channel, subscriber));
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            return handOver(super.subscribe(channel, from, subscriber));
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    thread.execute(() -> target.onMessage(d));
                }

                @Override
                public void onGap(Gap gap) {
                    thread.execute(() -> target.onGap(gap));
                }
            };
        }

        private <T> CompletableFuture<T> handOver(CompletableFuture<T> inner) {
            CompletableFuture<T> outer = new CompletableFuture<>();
            inner.whenComplete((v, e) -> thread.schedule(() -> {
                if (e != null) {
                    outer.completeExceptionally(e);
                } else {
                    outer.complete(v);
                }
            }, 5, TimeUnit.MILLISECONDS));
            return outer;
        }

        @Override
        public void close() {
            super.close();
            thread.shutdownNow();
        }
    }

    /**
     * Acknowledges each delivery the moment it arrives and hands the subscriber one whose ack does
     * nothing, as a transport whose flow control counts queued deliveries instead of
     * unacknowledged ones: a subscriber that acknowledges nothing is given everything.
     */
    static final class AckOnReceipt extends ForwardingBackplane {
        AckOnReceipt(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    d.ack();
                    target.onMessage(new ForwardingDelivery(d) {
                        @Override
                        public void ack() {
                        }
                    });
                }
            };
        }
    }

    /**
     * Calls every subscriber of the instance in one queue, as a transport that reads all channels
     * in one place and waits for each hand-over: one stuck subscriber stops all of them.
     */
    static final class OneDeliveryQueue extends ForwardingBackplane {
        private final ExecutorService lane = Executors.newSingleThreadExecutor(new DaemonThreads("one-delivery-queue"));

        OneDeliveryQueue(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    lane.execute(() -> target.onMessage(d));
                }

                @Override
                public void onGap(Gap gap) {
                    lane.execute(() -> target.onGap(gap));
                }
            };
        }

        @Override
        public void close() {
            super.close();
            lane.shutdownNow();
        }
    }

    /** Drops every gap of a replay, as a transport that answers a position beyond the end with silence. */
    static final class SilentBeyondTheEnd extends ForwardingBackplane {
        SilentBeyondTheEnd(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            return delegate.subscribe(channel, from, subscriber == null ? null : new ForwardingSubscriber(subscriber) {
                @Override
                public void onGap(Gap gap) {
                }
            });
        }
    }
}
