package dev.backplane.hub;

import dev.backplane.Backplane;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * One server instance's part of a hub: it holds the connections of clients connected to this
 * instance and delivers to them what any node or context sends. Create one per hub per instance
 * with {@link #start}; register each client with {@link #connect} and remove it with
 * {@link #disconnect}.
 */
public interface HubNode extends HubContext {

    /**
     * Starts a node on {@code backplane} and returns once it is subscribed and has announced itself.
     * The backplane stays the caller's: closing the node does not close it, and closing the
     * backplane under a running node is what a crash looks like to the others.
     */
    static HubNode start(Backplane backplane, HubOptions options) {
        return HubEngine.start(backplane, options, true);
    }

    /**
     * Registers a client connection with a new id that names this node. Completes once every send
     * that starts afterwards and targets the connection (all, its user, its id) reaches it.
     *
     * @param userId the connection's user, or null for none
     * @param sink where its messages go
     */
    CompletableFuture<HubConnection> connect(String userId, ConnectionSink sink);

    /**
     * Removes a connection: it leaves all its groups, presence drops it on every node, and
     * invocations it has not answered fail. Returns false if it was not registered here.
     */
    boolean disconnect(String connectionId);

    /** The connections registered on this node. */
    Collection<HubConnection> localConnections();

    /** Answers an invocation with {@code result} serialized as JSON. False if unknown or already answered. */
    boolean completeInvocation(String connectionId, String invocationId, Object result);

    /** Answers an invocation with JSON text in UTF-8. False if unknown or already answered. */
    boolean completeInvocationJson(String connectionId, String invocationId, byte[] resultJson);

    /** Answers an invocation with an error. False if unknown or already answered. */
    boolean failInvocation(String connectionId, String invocationId, String error);
}
