package dev.backplane.hub;

import static dev.backplane.hub.Failures.utf8;

import java.util.concurrent.CompletableFuture;

/**
 * The owner's side of group add/remove: records the membership, holds the group channel while a
 * local member needs it, and answers the caller once the change is in effect.
 */
final class GroupCommands {

    private final String nodeId;
    private final boolean holdsConnections;
    private final ChannelNames channels;
    private final LocalConnections locals;
    private final ChannelRefs refs;
    private final EnvelopePublisher publisher;
    private final Runnable presenceChanged;

    GroupCommands(String nodeId, boolean holdsConnections, ChannelNames channels, LocalConnections locals,
            ChannelRefs refs, EnvelopePublisher publisher, Runnable presenceChanged) {
        this.nodeId = nodeId;
        this.holdsConnections = holdsConnections;
        this.channels = channels;
        this.locals = locals;
        this.refs = refs;
        this.publisher = publisher;
        this.presenceChanged = presenceChanged;
    }

    /** Applies a GROUP_ADD or GROUP_REMOVE for a local connection and answers its sender. */
    void apply(Envelope e) {
        boolean add = e.kind() == Envelope.Kind.GROUP_ADD;
        apply(add, e.connectionId(), e.name()).whenComplete((v, ex) -> {
            if (ex == null) {
                publisher.reply(e.sender(), e.correlation(), null, Envelope.EMPTY);
            } else if (Failures.rootCause(ex) instanceof UnknownConnectionException unknown) {
                publisher.reply(e.sender(), e.correlation(), Failures.UNKNOWN_CONNECTION, utf8(unknown.getMessage()));
            } else {
                publisher.reply(e.sender(), e.correlation(), "error", utf8(Failures.rootCause(ex).getMessage()));
            }
        });
    }

    /**
     * Applies a group change to a connection of this node; completes once it is in effect (for an
     * add: once the group channel's subscription is active, so a send that starts after that
     * reaches the connection). Fails with {@link UnknownConnectionException} if the connection is
     * not here. Used for commands from other nodes and, without the broker, for this node's own.
     */
    CompletableFuture<Void> apply(boolean add, String connectionId, String group) {
        String channel = channels.group(group);
        CompletableFuture<Void> applied;
        synchronized (locals) {
            LocalConnections.Local local = holdsConnections ? locals.get(connectionId) : null;
            if (local == null) {
                return CompletableFuture.failedFuture(new UnknownConnectionException((add ? "adding " : "removing ")
                        + "connection " + connectionId + (add ? " to" : " from") + " group '" + group + "': node "
                        + nodeId + " holds no such connection (never did, or it disconnected)"));
            }
            if (!add) {
                if (locals.leave(local, group)) {
                    refs.release(channel);
                }
                applied = CompletableFuture.completedFuture(null);
            } else if (locals.join(local, group)) {
                // The membership's reference: released when the connection leaves the group, or
                // below if the subscription cannot be made.
                applied = refs.acquire(channel).whenComplete((v, ex) -> {
                    if (ex != null) {
                        undoJoin(connectionId, group, channel);
                    }
                });
            } else {
                // Already a member: a reference held just long enough to wait for a subscription
                // that may still be in flight (released whatever its outcome).
                applied = refs.acquire(channel).whenComplete((v, ex) -> refs.release(channel));
            }
        }
        presenceChanged.run();
        return applied.handle((v, ex) -> {
            if (ex != null) {
                throw new HubException("adding connection " + connectionId + " to group '" + group
                        + "' failed: subscribing to the group channel failed: " + Failures.rootCause(ex),
                        Failures.rootCause(ex));
            }
            return null;
        });
    }

    /** A join whose subscription failed is taken back, so the caller's error is the whole truth. */
    private void undoJoin(String connectionId, String group, String channel) {
        synchronized (locals) {
            LocalConnections.Local local = locals.get(connectionId);
            if (local != null && locals.leave(local, group)) {
                refs.release(channel);
            }
        }
        presenceChanged.run();
    }
}
