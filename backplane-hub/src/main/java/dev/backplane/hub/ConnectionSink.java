package dev.backplane.hub;

/**
 * Writes to one client: what a WebSocket endpoint plugs in for each connection it registers with
 * {@link HubNode#connect}.
 *
 * <p>Calls for one connection are sequential (never concurrent) and come in arrival order, on the
 * hub's threads. Return quickly: queue the bytes for the client rather than wait for the network.
 * An exception is logged and does not affect other recipients.
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
}
