package dev.backplane.hub;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where a send goes: on the sending side the channels a target needs, on the receiving side the
 * local connections it matches, whose outboxes it fills. A connection whose outbox is full is
 * handed to {@code onOverflow}, which ends it.
 */
final class TargetRouter {

    private final ChannelNames channels;
    private final LocalConnections locals;
    private final HubMonitor counters;
    private final Consumer<LocalConnections.Local> onOverflow;

    TargetRouter(ChannelNames channels, LocalConnections locals, HubMonitor counters,
            Consumer<LocalConnections.Local> onOverflow) {
        this.channels = channels;
        this.locals = locals;
        this.counters = counters;
        this.onOverflow = onOverflow;
    }

    /**
     * The channels a send to {@code target} is published to: one per group, user, or owning node,
     * or the all channel. Fails for a name the channel rules refuse.
     */
    Set<String> channelsFor(Target target) {
        Set<String> out = new LinkedHashSet<>();
        switch (target.kind()) {
            case ALL -> out.add(channels.all());
            case CONNECTIONS -> target.names().forEach(id -> out.add(channels.node(Ids.ownerOf(id))));
            case GROUPS -> target.names().forEach(g -> out.add(channels.group(g)));
            case USERS -> target.names().forEach(u -> out.add(channels.user(u)));
        }
        return out;
    }

    /** Hands a received send to every local connection its whole target matches, once each. */
    void deliver(Envelope e) {
        HubMessage message = new HubMessage(e.name(), e.payload());
        for (LocalConnections.Local local : locals.resolve(e.target())) {
            if (hand(local, () -> local.sink().send(message))) {
                counters.delivered.increment();
            }
        }
    }

    /** Queues a sink call for one connection; false (and the connection is ended) when its outbox is full. */
    boolean hand(LocalConnections.Local local, Runnable call) {
        if (local.outbox().offer(call)) {
            return true;
        }
        onOverflow.accept(local);
        return false;
    }
}
