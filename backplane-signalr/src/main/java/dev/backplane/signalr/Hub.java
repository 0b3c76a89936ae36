package dev.backplane.signalr;

/**
 * A hub: a plain Java class whose public methods clients call by name (matched without regard to
 * case; one method per name). Arguments are bound from the client's values with Jackson; the
 * return value is the client's result. A method may return:
 * <ul>
 *   <li>a value (or {@code void}): sent as the completion, once the method returns;
 *   <li>a {@link java.util.concurrent.CompletionStage}: sent when it completes, without holding the
 *       connection's invocation lane meanwhile;
 *   <li>a {@link java.util.concurrent.Flow.Publisher} or an {@link java.util.Iterator}: a stream,
 *       for clients that call it with {@code stream(...)}; each item is sent as it comes, and the
 *       client's cancel stops it.
 * </ul>
 * A parameter of type {@link java.util.concurrent.Flow.Publisher} or {@link java.util.Iterator}
 * receives a stream the client uploads. A {@link HubMethodException} thrown by a method is sent to
 * the caller with its message; any other exception is sent as a generic error (with its message
 * only when detailed errors are enabled).
 *
 * <p>A new instance serves each call (invocation, {@link #onConnected}, {@link #onDisconnected}):
 * keep per-connection state in {@link HubCallerContext#items()}, shared state elsewhere. Calls for
 * one connection run one at a time, in the order the client sent them, on the server's invocation
 * threads (never on a network or timer thread), so a method may block.
 */
public abstract class Hub {

    private HubCall call;

    /** Set by the server before every call. */
    final void bind(HubCall call) {
        this.call = call;
    }

    /** The connection this call is for. */
    protected final HubCallerContext context() {
        return call.context();
    }

    /** Send to the caller, to others, to groups and users, on any node. */
    protected final HubCallerClients clients() {
        return call.clients();
    }

    /** Add or remove connections (on any node) to or from groups. */
    protected final GroupManager groups() {
        return call.groups();
    }

    /** Who is connected to this hub, on every node (eventually consistent). */
    protected final dev.backplane.hub.HubPresence presence() {
        return call.presence();
    }

    /**
     * A client connected (its handshake is done). Runs before any of its invocations. An exception
     * closes the connection with an error.
     */
    public void onConnected() {
    }

    /**
     * The connection ended: the client closed it, its transport failed or timed out, or the server
     * closed it. {@code error} is null for a clean close. The connection has already left its groups.
     */
    public void onDisconnected(Throwable error) {
    }
}
