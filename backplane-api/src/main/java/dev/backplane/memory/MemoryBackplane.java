package dev.backplane.memory;

import dev.backplane.BackplaneConfig;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.AbstractBackplane;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.SubscriberDispatch;
import dev.backplane.spi.Positions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A backplane inside one JVM: at-least-once, ordered, with replay of the last {@code retain}
 * messages of each channel. For tests, single-instance deployments and as the reference the
 * compatibility kit checks itself against.
 */
public final class MemoryBackplane extends AbstractBackplane {

    private final MemoryBus bus;
    private final int retain;
    private final Capabilities capabilities;
    private final ExecutorService deliveryPool;
    private final ScheduledExecutorService timer;
    private final Set<MemorySubscription> subscriptions = ConcurrentHashMap.newKeySet();

    MemoryBackplane(BackplaneConfig config, MemoryBus bus, int retain, int maxPayload) {
        super(config);
        this.bus = bus;
        this.retain = retain;
        this.capabilities = new Capabilities("mem", DeliveryGuarantee.AT_LEAST_ONCE, true, true, maxPayload, true);
        this.deliveryPool = Executors.newCachedThreadPool(new DaemonThreads("backplane-mem-" + bus.name()));
        this.timer = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("backplane-mem-timer"));
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    @Override
    protected CompletableFuture<Position> doPublish(String channel, byte[] payload) {
        try {
            bus.requireRunning();
        } catch (BrokerUnavailableException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] copy = payload.clone();
        MemoryBus.Channel state = bus.channel(key(channel));
        long sequence;
        synchronized (state) {
            sequence = ++state.lastSequence;
            if (retain > 0) {
                state.log.addLast(new MemoryBus.Entry(sequence, copy));
                while (state.log.size() > retain) {
                    state.log.removeFirst();
                }
            }
            // Enqueued under the channel lock, so every subscription sees one publisher's order.
            for (MemorySubscription s : state.subscriptions) {
                s.dispatch.deliver(copy, position(sequence));
            }
        }
        return CompletableFuture.completedFuture(position(sequence));
    }

    @Override
    protected CompletableFuture<Subscription> doSubscribe(String channel, Position from, Subscriber subscriber) {
        try {
            bus.requireRunning();
        } catch (BrokerUnavailableException e) {
            return CompletableFuture.failedFuture(e);
        }
        long after = from == null ? -1 : parse(from);
        MemorySubscription subscription = new MemorySubscription(channel, subscriber);
        MemoryBus.Channel state = bus.channel(key(channel));
        synchronized (state) {
            if (after > state.lastSequence) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("position " + after
                        + " is beyond the last message (" + state.lastSequence + ") of channel '" + channel
                        + "' on memory bus '" + bus.name() + "'; was it stored by another bus or an earlier JVM?"));
            }
            if (after >= 0) {
                List<MemoryBus.Entry> replay = new ArrayList<>();
                for (MemoryBus.Entry e : state.log) {
                    if (e.sequence() > after) {
                        replay.add(e);
                    }
                }
                long firstAvailable = replay.isEmpty() ? state.lastSequence + 1 : replay.get(0).sequence();
                if (firstAvailable > after + 1) {
                    Gap gap = new Gap(channel, after == 0 ? Position.EARLIEST : position(after),
                            replay.isEmpty() ? Position.NONE : position(firstAvailable),
                            "messages " + (after + 1) + " to " + (firstAvailable - 1) + " are no longer retained (retain="
                                    + retain + ")");
                    if (!(after == 0 && state.log.isEmpty() && state.lastSequence == 0)) {
                        subscription.dispatch.gap(gap);
                    }
                }
                for (MemoryBus.Entry e : replay) {
                    subscription.dispatch.deliver(e.payload(), position(e.sequence()));
                }
            }
            state.subscriptions.add(subscription);
        }
        subscriptions.add(subscription);
        return CompletableFuture.completedFuture(subscription);
    }

    @Override
    protected void doClose() {
        subscriptions.forEach(MemorySubscription::close);
        timer.shutdownNow();
        deliveryPool.shutdown();
    }

    private String key(String channel) {
        return config.prefix() + ":" + channel;
    }

    private static Position position(long sequence) {
        return Position.of(Long.toString(sequence));
    }

    private static long parse(Position from) {
        return from.equals(Position.EARLIEST) ? 0 : Positions.wholeNumber(from, "mem", "a sequence number");
    }

    final class MemorySubscription implements Subscription {
        private final String channel;
        final SubscriberDispatch dispatch;

        MemorySubscription(String channel, Subscriber subscriber) {
            this.channel = channel;
            this.dispatch = SubscriberDispatch.atLeastOnce(channel, subscriber, deliveryPool, timer, config.ackTimeout(),
                    this::awaitBus, () -> { });
        }

        @Override
        public String channel() {
            return channel;
        }

        // Deliveries wait while the bus is stopped, as they would for a broker that is down.
        private boolean awaitBus() {
            try {
                bus.awaitRunning();
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public void close() {
            if (!dispatch.close()) {
                return;
            }
            MemoryBus.Channel state = bus.channel(key(channel));
            synchronized (state) {
                state.subscriptions.remove(this);
            }
            subscriptions.remove(this);
        }
    }
}
