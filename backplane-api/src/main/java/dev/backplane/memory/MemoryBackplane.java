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
import dev.backplane.spi.Positions;
import dev.backplane.spi.SubscriberDispatch;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A backplane inside one JVM: at-least-once, ordered, with replay of the last {@code retain}
 * messages of each channel. For tests, single-instance deployments and as the reference the
 * compatibility kit checks itself against.
 *
 * <p>A publish completes at once, on the caller's thread (the future is already complete when
 * returned). Deliveries run on the callback executor. Flow control as on the other transports: a
 * subscription holding {@code maxUnacknowledged} unacknowledged deliveries gets no more live
 * messages; once acknowledgements bring it down to half, it catches up from the channel's
 * retained log (a gap if what it missed is no longer retained), so one slow subscriber never
 * slows a publisher or another subscriber.
 */
public final class MemoryBackplane extends AbstractBackplane {

    private final MemoryBus bus;
    private final String prefix;
    private final int retain;
    private final Capabilities capabilities;
    private final Set<MemorySubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Runnable stopWatching;

    MemoryBackplane(BackplaneConfig config, MemoryBus bus, int retain, int maxPayload) {
        super(config, "mem");
        this.bus = bus;
        this.prefix = config.prefix();
        this.retain = retain;
        this.capabilities = new Capabilities("mem", DeliveryGuarantee.AT_LEAST_ONCE, true, true, maxPayload, true);
        // The bus is this backplane's broker: its stops and starts are the connection's losses and returns.
        this.stopWatching = bus.watchRunning(running -> {
            if (running) {
                connected();
            } else {
                connectionLost("memory bus '" + bus.name() + "' is stopped");
            }
        });
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
        while (true) {
            MemoryBus.Channel state = bus.channel(prefix, channel);
            synchronized (state) {
                if (state.dropped) {
                    continue;
                }
                long sequence = ++state.lastSequence;
                if (retain > 0) {
                    state.log.addLast(new MemoryBus.Entry(sequence, copy));
                    while (state.log.size() > retain) {
                        state.log.removeFirst();
                    }
                }
                // Enqueued under the channel lock, so every subscription sees one publisher's order.
                for (MemorySubscription s : state.subscriptions) {
                    s.offerLive(sequence, copy);
                }
                return CompletableFuture.completedFuture(position(sequence));
            }
        }
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
        while (true) {
            MemoryBus.Channel state = bus.channel(prefix, channel);
            synchronized (state) {
                if (state.dropped) {
                    continue;
                }
                subscription.state = state;
                if (after < 0) {
                    subscription.next = state.lastSequence + 1;
                } else if (after > state.lastSequence) {
                    // One answer on every transport: report it, then replay everything retained.
                    subscription.dispatch.gap(new Gap(channel, from, firstRetained(state),
                            "position " + after + " is beyond the last message (" + state.lastSequence
                                    + ") of channel '" + channel + "' on memory bus '" + bus.name()
                                    + "': the bus was dropped and created again, or the position came from another "
                                    + "bus; everything retained is replayed"));
                    subscription.next = 1;
                } else {
                    subscription.next = after + 1;
                    long first = state.log.isEmpty() ? state.lastSequence + 1 : state.log.peekFirst().sequence();
                    if (first > after + 1 && !(after == 0 && state.lastSequence == 0)) {
                        subscription.dispatch.gap(new Gap(channel, after == 0 ? Position.EARLIEST : position(after),
                                firstRetained(state), "messages " + (after + 1) + " to " + (first - 1)
                                        + " are no longer retained (retain=" + retain + ")"));
                        subscription.next = first; // reported: the catch-up below must not report it again
                    }
                }
                subscription.catchUp();
                state.subscriptions.add(subscription);
                break;
            }
        }
        subscriptions.add(subscription);
        return CompletableFuture.completedFuture(subscription);
    }

    @Override
    protected void doClose() {
        stopWatching.run();
        subscriptions.forEach(MemorySubscription::close);
        bus.release();
    }

    private static Position firstRetained(MemoryBus.Channel state) {
        return state.log.isEmpty() ? Position.NONE : position(state.log.peekFirst().sequence());
    }

    private static Position position(long sequence) {
        return Position.ofWholeNumber(sequence);
    }

    private static long parse(Position from) {
        return from.equals(Position.EARLIEST) ? 0 : Positions.wholeNumber(from, "mem", "a sequence number");
    }

    final class MemorySubscription implements Subscription {
        private final String channel;
        final SubscriberDispatch dispatch;
        // Guarded by the channel's lock: the next sequence owed, and whether it waits for capacity.
        MemoryBus.Channel state;
        long next;
        boolean behind;

        MemorySubscription(String channel, Subscriber subscriber) {
            this.channel = channel;
            this.dispatch = SubscriberDispatch.atLeastOnce(channel, subscriber, config, this::resume);
        }

        @Override
        public String channel() {
            return channel;
        }

        /** A message just published; called under the channel's lock. */
        void offerLive(long sequence, byte[] payload) {
            if (behind || sequence != next) {
                return; // catching up: it reads this one from the log later
            }
            if (!dispatch.hasCapacity()) {
                behind = true;
                return;
            }
            dispatch.deliver(payload, position(sequence));
            next = sequence + 1;
        }

        /** Delivers from the retained log what it is owed, while it has capacity; called under the channel's lock. */
        void catchUp() {
            long first = state.log.isEmpty() ? state.lastSequence + 1 : state.log.peekFirst().sequence();
            if (next < first && next <= state.lastSequence) {
                dispatch.gap(new Gap(channel, position(next - 1), firstRetained(state), "messages " + next + " to "
                        + (first - 1) + " were dropped from the retained log (retain=" + retain
                        + ") while this subscriber was too slow to take them"));
                next = first;
            }
            for (MemoryBus.Entry e : state.log) {
                if (e.sequence() < next) {
                    continue;
                }
                if (!dispatch.hasCapacity()) {
                    behind = true;
                    return;
                }
                dispatch.deliver(e.payload(), position(e.sequence()));
                next = e.sequence() + 1;
            }
            behind = next <= state.lastSequence;
        }

        // Acknowledgements made room: read on from the log.
        private void resume() {
            MemoryBus.Channel s = state;
            synchronized (s) {
                if (!dispatch.isClosed() && behind) {
                    behind = false;
                    catchUp();
                }
            }
        }

        @Override
        public void close() {
            if (!dispatch.close()) {
                return;
            }
            MemoryBus.Channel s = state;
            if (s != null) {
                synchronized (s) {
                    s.subscriptions.remove(this);
                    bus.dropIfUnused(s);
                }
            }
            subscriptions.remove(this);
        }
    }
}
