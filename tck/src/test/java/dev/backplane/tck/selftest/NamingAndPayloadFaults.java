package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.Channels;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.ForwardingBackplane;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults in fan-out width, order across channels, the mapping of names and prefixes, retained
 * history and payload handling that the basic delivery rules let through.
 */
public final class NamingAndPayloadFaults {

    private NamingAndPayloadFaults() {
    }

    /**
     * Serves at most three subscriptions of a channel across the whole bus, as a broker-side
     * subscriber table of fixed size would; further subscriptions are accepted and get nothing.
     */
    static final class FanOutCap extends ForwardingBackplane {
        static final int SERVED = 3;
        private static final Map<String, AtomicInteger> ACTIVE = new ConcurrentHashMap<>();
        private final String scope;

        FanOutCap(Backplane delegate, String scope) {
            super(delegate);
            this.scope = scope;
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            Channels.requireValid(channel);
            Objects.requireNonNull(subscriber, "subscriber");
            AtomicInteger active = ACTIVE.computeIfAbsent(scope + "/" + channel, k -> new AtomicInteger());
            Subscriber served = active.incrementAndGet() <= SERVED ? subscriber : Delivery::ack;
            AtomicBoolean closed = new AtomicBoolean();
            return delegate.subscribe(channel, served).thenApply(s -> new ForwardingSubscription(s, () -> {
                if (closed.compareAndSet(false, true)) {
                    active.decrementAndGet();
                }
            }));
        }
    }

    /**
     * Sends a run of publishes to one channel straight through, but a publish to another channel
     * than the one before goes through a timer with a random delay of up to 3 ms: one channel's
     * order holds, interleaved channels lose theirs.
     */
    public static final class InterleaveReorder extends ForwardingBackplane {
        private final ScheduledExecutorService timer =
                Executors.newScheduledThreadPool(2, new DaemonThreads("faulty-interleave"));
        private String lastChannel;

        public InterleaveReorder(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            Channels.requireValid(channel);
            Objects.requireNonNull(payload, "payload");
            synchronized (this) {
                boolean sameRun = channel.equals(lastChannel);
                lastChannel = channel;
                if (sameRun) {
                    return delegate.publish(channel, payload);
                }
            }
            byte[] copy = payload.clone();
            CompletableFuture<Position> result = new CompletableFuture<>();
            timer.schedule(() -> delegate.publish(channel, copy).whenComplete((p, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(p);
                }
            }), ThreadLocalRandom.current().nextLong(3000), TimeUnit.MICROSECONDS);
            return result;
        }

        @Override
        public void close() {
            timer.shutdownNow();
            super.close();
        }
    }

    /**
     * Maps names onto the broker by escaping '.' as {@code _2E} and ':' as {@code _3A} without
     * escaping '_' itself, so {@code a.b} and {@code a_2Eb} share a broker channel.
     */
    static final class EscapeCollision extends ForwardingBackplane {
        EscapeCollision(Backplane delegate) {
            super(delegate);
        }

        private static String escaped(String channel) {
            return channel.replace(".", "_2E").replace(":", "_3A");
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            Channels.requireValid(channel);
            return delegate.publish(escaped(channel), payload);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            Channels.requireValid(channel);
            Objects.requireNonNull(subscriber, "subscriber");
            return delegate.subscribe(escaped(channel), renamed(channel, subscriber));
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            Channels.requireValid(channel);
            Objects.requireNonNull(subscriber, "subscriber");
            return delegate.subscribe(escaped(channel), from, renamed(channel, subscriber));
        }

        /** Deliveries and gaps named with the caller's channel, as the transport reports them. */
        private static Subscriber renamed(String channel, Subscriber subscriber) {
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    target.onMessage(new ForwardingDelivery(d) {
                        @Override
                        public String channel() {
                            return channel;
                        }
                    });
                }

                @Override
                public void onGap(Gap gap) {
                    target.onGap(new Gap(channel, gap.after(), gap.resumedAt(), gap.reason()));
                }
            };
        }
    }

    /**
     * Live delivery is kept per prefix, but history is one log for every prefix on the bus:
     * replays come from it.
     */
    static final class HistoryIgnoresPrefix extends ForwardingBackplane {
        private final Backplane history;

        HistoryIgnoresPrefix(Backplane delegate, Backplane history) {
            super(delegate);
            this.history = history;
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            CompletableFuture<Position> published = delegate.publish(channel, payload);
            history.publish(channel, payload);
            return published;
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber) {
            return history.subscribe(channel, from, subscriber);
        }

        @Override
        public void close() {
            history.close();
            super.close();
        }
    }

    /**
     * Folds a publish whose payload equals the previous one to the same channel into it, as a
     * transport that batches publishes into one PostgreSQL transaction gets from NOTIFY.
     */
    static final class FoldIdentical extends ForwardingBackplane {
        private final Map<String, byte[]> lastPayload = new HashMap<>();
        private final Map<String, CompletableFuture<Position>> lastPublish = new HashMap<>();

        FoldIdentical(Backplane delegate) {
            super(delegate);
        }

        @Override
        public synchronized CompletableFuture<Position> publish(String channel, byte[] payload) {
            Channels.requireValid(channel);
            Objects.requireNonNull(payload, "payload");
            if (Arrays.equals(lastPayload.get(channel), payload)) {
                return lastPublish.get(channel);
            }
            CompletableFuture<Position> published = delegate.publish(channel, payload);
            lastPayload.put(channel, payload.clone());
            lastPublish.put(channel, published);
            return published;
        }
    }

    /**
     * Sends payloads in 8 KiB chunks and loses a last chunk of fewer than 16 bytes, as an off-by-one
     * in reassembly does: 8193 or 65537 bytes arrive cut, 8192 and 1 MiB arrive whole.
     */
    static final class ShortLastChunk extends ForwardingBackplane {
        static final int CHUNK = 8192;

        ShortLastChunk(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            if (payload != null && payload.length > CHUNK) {
                int tail = payload.length % CHUNK;
                if (tail > 0 && tail < 16) {
                    return delegate.publish(channel, Arrays.copyOf(payload, payload.length - tail));
                }
            }
            return delegate.publish(channel, payload);
        }
    }
}
