package dev.backplane.hub;

/**
 * A connection registered on a node.
 *
 * @param id the connection id: unique in the hub, it names the owning node ({@link #nodeId()})
 * @param userId the user the connection belongs to, or null for an anonymous connection
 */
public record HubConnection(String id, String userId) {

    /** The id of the node that holds this connection. */
    public String nodeId() {
        return Ids.ownerOf(id);
    }
}
