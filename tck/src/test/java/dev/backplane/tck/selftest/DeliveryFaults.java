package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.Channels;
import dev.backplane.Delivery;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.ForwardingBackplane;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Faults in who receives what: each breaks one delivery promise of a correct memory backplane. */
final class DeliveryFaults {

    private DeliveryFaults() {
    }

    /** Acknowledges every 7th delivery to a subscription and never hands it to the subscriber. */
    static final class Drop extends ForwardingBackplane {
        Drop(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            AtomicInteger count = new AtomicInteger();
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    if (count.incrementAndGet() % 7 == 0) {
                        d.ack();
                        return;
                    }
                    target.onMessage(d);
                }
            };
        }
    }

    /** Hands every 5th delivery to a subscription to its subscriber twice. */
    static final class Duplicate extends ForwardingBackplane {
        Duplicate(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            AtomicInteger count = new AtomicInteger();
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    target.onMessage(d);
                    if (count.incrementAndGet() % 5 == 0) {
                        target.onMessage(d);
                    }
                }
            };
        }
    }

    /**
     * Holds every other publish to a channel and sends it after the next one (or after 20 ms), so
     * pairs of messages from one publisher arrive swapped.
     */
    static final class Reorder extends ForwardingBackplane {
        private record Held(byte[] payload, CompletableFuture<Position> future) {
        }

        private final Map<String, Held> held = new HashMap<>();
        private final ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(new DaemonThreads("faulty-reorder"));

        Reorder(Backplane delegate) {
            super(delegate);
        }

        @Override
        public synchronized CompletableFuture<Position> publish(String channel, byte[] payload) {
            Channels.requireValid(channel);
            Objects.requireNonNull(payload, "payload");
            Held previous = held.remove(channel);
            if (previous == null) {
                Held mine = new Held(payload.clone(), new CompletableFuture<>());
                held.put(channel, mine);
                timer.schedule(() -> flush(channel, mine), 20, TimeUnit.MILLISECONDS);
                return mine.future();
            }
            CompletableFuture<Position> mine = delegate.publish(channel, payload);
            send(channel, previous);
            return mine;
        }

        private synchronized void flush(String channel, Held expected) {
            if (held.remove(channel, expected)) {
                send(channel, expected);
            }
        }

        private void send(String channel, Held h) {
            delegate.publish(channel, h.payload()).whenComplete((p, e) -> {
                if (e != null) {
                    h.future().completeExceptionally(e);
                } else {
                    h.future().complete(p);
                }
            });
        }

        @Override
        public void close() {
            timer.shutdownNow();
            super.close();
        }
    }

    /**
     * Also delivers a message to every channel whose name is a proper prefix of its own, as a
     * transport subscribing with a broker pattern ({@code a*}) would.
     */
    static final class LeakToPrefixChannels extends ForwardingBackplane {
        LeakToPrefixChannels(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            CompletableFuture<Position> result = delegate.publish(channel, payload);
            for (int end = 1; end < channel.length(); end++) {
                String shorter = channel.substring(0, end);
                if (legal(shorter)) {
                    delegate.publish(shorter, payload);
                }
            }
            return result;
        }

        private static boolean legal(String channel) {
            try {
                Channels.requireValid(channel);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }

    /**
     * Passes payloads of up to 4 KiB through a UTF-8 string, as a transport sending small messages
     * through a client's String API would.
     */
    static final class MangleThroughUtf8 extends ForwardingBackplane {
        MangleThroughUtf8(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            boolean small = payload != null && payload.length <= 4096;
            return delegate.publish(channel, small
                    ? new String(payload, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8) : payload);
        }
    }

    /** Sends the caller's array 100 ms after publish returned, without copying it first. */
    static final class RetainPublishedArray extends ForwardingBackplane {
        RetainPublishedArray(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Position> publish(String channel, byte[] payload) {
            Channels.requireValid(channel);
            Objects.requireNonNull(payload, "payload");
            return CompletableFuture.supplyAsync(() -> payload,
                    CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                    .thenCompose(p -> delegate.publish(channel, p));
        }
    }

    /** Hands one array per message to every subscription on this instance, as a decode-once fan-out would. */
    static final class ShareDeliveredArray extends ForwardingBackplane {
        private final Map<String, byte[]> decoded = new ConcurrentHashMap<>();

        ShareDeliveredArray(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            return new ForwardingSubscriber(subscriber) {
                @Override
                public void onMessage(Delivery d) {
                    byte[] shared = decoded.computeIfAbsent(d.channel() + "@" + d.position().value(), k -> d.payload());
                    target.onMessage(new ForwardingDelivery(d) {
                        @Override
                        public byte[] payload() {
                            return shared;
                        }
                    });
                }
            };
        }
    }
}
