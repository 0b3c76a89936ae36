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

/** Faults in where user code runs: the callback-thread rule and slow subscribers. */
final class CallbackFaults {

    private CallbackFaults() {
    }

    /** {@code subscriber}, called on {@code executor} instead of the transport's delivery thread. */
    private static Subscriber calledOn(java.util.concurrent.Executor executor, Subscriber subscriber) {
        return new ForwardingSubscriber(subscriber) {
            @Override
            public void onMessage(Delivery d) {
                executor.execute(() -> target.onMessage(d));
            }

            @Override
            public void onGap(Gap gap) {
                executor.execute(() -> target.onGap(gap));
            }
        };
    }

    /**
     * Completes every future and calls every subscriber on one thread of its own, as a transport
     * that lends its I/O or completion thread to user code: a callback that waits on another of
     * its futures waits for itself. Futures complete 20 ms late, as after a round trip to a
     * broker.
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
            return calledOn(thread, subscriber);
        }

        private <T> CompletableFuture<T> handOver(CompletableFuture<T> inner) {
            CompletableFuture<T> outer = new CompletableFuture<>();
            inner.whenComplete((v, e) -> thread.schedule(() -> {
                if (e != null) {
                    outer.completeExceptionally(e);
                } else {
                    outer.complete(v);
                }
            }, 20, TimeUnit.MILLISECONDS));
            return outer;
        }

        @Override
        public void close() {
            super.close();
            thread.shutdownNow();
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
            return calledOn(lane, subscriber);
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
