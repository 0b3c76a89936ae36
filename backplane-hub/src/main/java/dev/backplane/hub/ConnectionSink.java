package dev.backplane.hub;

/**
 * Writes to one client: what a WebSocket endpoint plugs in for each connection it registers with
 * {@link HubNode#connect}.
 *
 * <p>Calls for one connection are sequential (never concurrent) and come in arrival order, on the
 * hub's sink threads: a fixed pool of {@link HubOptions#sinkThreads()} threads serves every
 * connection of the node, each draining one connection's waiting calls at a time. Return quickly
 * and never block: queue the bytes for the client rather than wait for the network, or the
 * connections that share the thread wait too.
 * At most {@link HubOptions#connectionBuffer()} messages wait for one sink for longer than
 * {@link HubOptions#slowClientGrace()}, and never more than {@link HubOptions#connectionHardLimit()};
 * a sink that stays further behind has its connection ended (see {@link #disconnected}). An exception is logged and
 * does not affect other recipients.
 */
public interface ConnectionSink {

    /** Delivers a one-way message. {@link HubMessage#argumentsJson()} is shared: never modify it. */
    void send(HubMessage message);

    /**
     * Asks the client for a result. Answer later, from any thread, with
     * {@link HubInvocation#complete}, {@link HubInvocation#completeJson} or
     * {@link HubInvocation#fail} (or {@link HubNode#completeInvocation} with the invocation id). The
     * default refuses: a connection that cannot answer fails the caller at once.
     */
    default void invoke(HubInvocation invocation) {
        invocation.fail("connection " + invocation.connectionId() + " does not accept invocations");
    }

    /**
     * The hub ended this connection on its own: its sink stayed more than
     * {@link HubOptions#connectionBuffer()} messages behind past {@link HubOptions#slowClientGrace()},
     * or fell {@link HubOptions#connectionHardLimit()} behind (messages still waiting for it are
     * discarded), or the node was closed. The connection has already left the node, its groups and
     * presence; the endpoint should close the client's socket, telling it {@code reason}. This is the
     * last call the sink gets. Not called for {@link HubNode#disconnect}, which the endpoint made
     * itself. The default does nothing.
     */
    default void disconnected(String reason) {
    }
}
