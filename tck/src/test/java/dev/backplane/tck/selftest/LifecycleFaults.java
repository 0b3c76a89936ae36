package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.Channels;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.ForwardingBackplane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Faults in unsubscribing while deliveries are under way, and in what a closed backplane leaves behind. */
final class LifecycleFaults {

    private LifecycleFaults() {
    }

    /** A close() that comes while the subscriber is inside a call is put off, and then forgotten. */
    static final class CloseDuringCallIgnored extends ForwardingBackplane {
        CloseDuringCallIgnored(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            Objects.requireNonNull(subscriber, "subscriber");
            AtomicInteger inCall = new AtomicInteger();
            Subscriber counted = new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    inCall.incrementAndGet();
                    try {
                        target.onMessage(d);
                    } finally {
                        inCall.decrementAndGet();
                    }
                }
            };
            return delegate.subscribe(channel, counted).thenApply(s -> new Subscription() {
                @Override
                public String channel() {
                    return s.channel();
                }

                @Override
                public void close() {
                    if (inCall.get() == 0) {
                        s.close();
                    }
                }
            });
        }
    }

    /**
     * One broker subscription per channel on the instance, shared by its local subscriptions;
     * when the last local one closes, the broker subscription is closed 100 ms later, even if a new
     * local subscription has attached to it meanwhile.
     */
    static final class LateUnsubscribe extends ForwardingBackplane {
        private final Map<String, Shared> byChannel = new HashMap<>();
        private final ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(new DaemonThreads("faulty-late-unsubscribe"));

        LateUnsubscribe(Backplane delegate) {
            super(delegate);
        }

        /** The broker subscription of a channel and the local subscribers it feeds. */
        private static final class Shared implements Subscriber {
            final List<Subscriber> locals = new CopyOnWriteArrayList<>();
            CompletableFuture<Subscription> underlying;

            @Override
            public synchronized void onMessage(Delivery d) {
                byte[] payload = d.payload();
                for (Subscriber local : locals) {
                    local.onMessage(new ForwardingDelivery(d) {
                        @Override
                        public byte[] payload() {
                            return payload.clone();
                        }
                    });
                }
            }

            @Override
            public synchronized void onGap(Gap gap) {
                locals.forEach(local -> local.onGap(gap));
            }
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            Channels.requireValid(channel);
            Objects.requireNonNull(subscriber, "subscriber");
            Shared shared;
            synchronized (this) {
                shared = byChannel.get(channel);
                if (shared == null) {
                    shared = new Shared();
                    shared.underlying = delegate.subscribe(channel, shared);
                    byChannel.put(channel, shared);
                }
                shared.locals.add(subscriber);
            }
            Shared mine = shared;
            return mine.underlying.thenApply(u -> new Subscription() {
                @Override
                public String channel() {
                    return channel;
                }

                @Override
                public void close() {
                    synchronized (LateUnsubscribe.this) {
                        if (!mine.locals.remove(subscriber) || !mine.locals.isEmpty()) {
                            return;
                        }
                    }
                    timer.schedule(() -> {
                        synchronized (LateUnsubscribe.this) {
                            byChannel.remove(channel, mine);
                        }
                        u.close();
                    }, 100, TimeUnit.MILLISECONDS);
                }
            });
        }

        @Override
        public void close() {
            timer.shutdownNow();
            super.close();
        }
    }

    /** Starts a thread for every subscription, alive until that subscription closes. */
    static final class ThreadPerSubscription extends ForwardingBackplane {
        private final Set<CountDownLatch> running = ConcurrentHashMap.newKeySet();

        ThreadPerSubscription(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            // Started in the subscribe call, as a transport's reader thread would be.
            CountDownLatch done = new CountDownLatch(1);
            running.add(done);
            new DaemonThreads("faulty-reader-" + channel).newThread(() -> {
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).start();
            return delegate.subscribe(channel, subscriber).thenApply(s -> new ForwardingSubscription(s, () -> {
                running.remove(done);
                done.countDown();
            }));
        }

        @Override
        public void close() {
            running.forEach(CountDownLatch::countDown);
            super.close();
        }
    }

    /** Starts a heartbeat thread when opened and forgets to stop it on close() (it gives up after a minute). */
    static final class LeakThreadOnClose extends ForwardingBackplane {
        LeakThreadOnClose(Backplane delegate) {
            super(delegate);
            new DaemonThreads("faulty-heartbeat").newThread(() -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).start();
        }
    }

    /** Opens a connection to the broker when opened and leaves it open after close(). */
    static final class LeakConnection extends ForwardingBackplane {
        private static final List<Socket> LEAKED = new CopyOnWriteArrayList<>();

        LeakConnection(Backplane delegate, int brokerPort) {
            super(delegate);
            try {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", brokerPort), 1000);
                LEAKED.add(socket);
            } catch (IOException e) {
                throw new UncheckedIOException("the faulty backplane could not reach its broker on port " + brokerPort, e);
            }
        }
    }

    /**
     * Keeps one subscription per subscriber and channel: subscribing the same subscriber again
     * hands back the subscription it already has, whose close() ends both.
     */
    static final class SubscriptionPerSubscriber extends ForwardingBackplane {
        private final Map<List<Object>, CompletableFuture<Subscription>> bySubscriber = new HashMap<>();

        SubscriptionPerSubscriber(Backplane delegate) {
            super(delegate);
        }

        @Override
        public synchronized CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            Channels.requireValid(channel);
            Objects.requireNonNull(subscriber, "subscriber");
            List<Object> key = List.of(channel, subscriber);
            CompletableFuture<Subscription> existing = bySubscriber.get(key);
            if (existing != null && !existing.isCompletedExceptionally()) {
                return existing;
            }
            CompletableFuture<Subscription> subscribed = delegate.subscribe(channel, subscriber)
                    .thenApply(s -> new ForwardingSubscription(s, () -> {
                        synchronized (SubscriptionPerSubscriber.this) {
                            bySubscriber.remove(key);
                        }
                    }));
            bySubscriber.put(key, subscribed);
            return subscribed;
        }
    }
}
