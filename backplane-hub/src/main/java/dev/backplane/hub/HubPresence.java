package dev.backplane.hub;

import java.util.Set;

/**
 * This process's view of who is connected to the hub, built from the nodes' heartbeats. It is
 * eventually consistent: a change on a node shows here after the transport's latency, and a node
 * that stops without a goodbye disappears within {@link HubOptions#deathBound()} of its last
 * heartbeat. Every call returns an immutable snapshot.
 */
public interface HubPresence {

    /** The nodes heard from and not declared dead. Processes that only send (contexts) are not nodes. */
    Set<String> nodes();

    /** The users with at least one connection. */
    Set<String> onlineUsers();

    /** The connection ids of one user, on any node. */
    Set<String> connectionsOfUser(String userId);

    /** The connection ids in one group, on any node. */
    Set<String> groupMembers(String group);

    /** Every connection id of the hub. */
    Set<String> connections();
}
