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
        String connectionId = e.connectionId();
        String group = e.name();
        boolean add = e.kind() == Envelope.Kind.GROUP_ADD;
        String channel = channels.group(group);
        CompletableFuture<Void> applied;
        synchronized (locals) {
            LocalConnections.Local local = holdsConnections ? locals.get(connectionId) : null;
            if (local == null) {
                publisher.reply(e.sender(), e.correlation(), Failures.UNKNOWN_CONNECTION, utf8((add ? "adding " : "removing ")
                        + "connection " + connectionId + (add ? " to" : " from") + " group '" + group + "': node "
                        + nodeId + " holds no such connection (never did, or it disconnected)"));
                return;
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
        // Answered only once the group channel's subscription is active, so a send that starts after
        // the caller's future completes reaches the connection.
        applied.whenComplete((v, ex) -> publisher.reply(e.sender(), e.correlation(), ex == null ? null : "error",
                ex == null ? Envelope.EMPTY : utf8("adding connection " + connectionId + " to group '" + group
                        + "' failed: subscribing to the group channel failed: " + Failures.rootCause(ex))));
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
