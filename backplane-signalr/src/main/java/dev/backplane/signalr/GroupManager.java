package dev.backplane.signalr;

import java.util.concurrent.CompletableFuture;

/** Group membership for connections on any node. */
public interface GroupManager {

    /**
     * Adds a connection, on any node, to a group. Completes when its node applied it: a group send
     * that starts afterwards reaches it. Fails at once for an unknown connection, after the hub's
     * command timeout when its node does not answer.
     */
    CompletableFuture<Void> add(String connectionId, String group);

    /** Removes a connection from a group; completes and fails as {@link #add}. */
    CompletableFuture<Void> remove(String connectionId, String group);
}
