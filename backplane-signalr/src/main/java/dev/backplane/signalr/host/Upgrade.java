package dev.backplane.signalr.host;

import java.util.Objects;
import java.util.function.Function;

/**
 * The endpoint's answer to a WebSocket upgrade or an event-stream request: refused with an HTTP
 * reply, or accepted, in which case the host opens the transport and calls {@code open} with its
 * writer, getting the handler for what arrives.
 */
public final class Upgrade {

    private final HttpReply refusal;
    private final Function<SocketWriter, SocketHandler> open;

    private Upgrade(HttpReply refusal, Function<SocketWriter, SocketHandler> open) {
        this.refusal = refusal;
        this.open = open;
    }

    public static Upgrade refuse(HttpReply reply) {
        return new Upgrade(Objects.requireNonNull(reply), null);
    }

    public static Upgrade accept(Function<SocketWriter, SocketHandler> open) {
        return new Upgrade(null, Objects.requireNonNull(open));
    }

    public boolean accepted() {
        return open != null;
    }

    /** The refusal; null when accepted. */
    public HttpReply refusal() {
        return refusal;
    }

    /** Opens the accepted transport. */
    public SocketHandler open(SocketWriter writer) {
        return open.apply(writer);
    }
}
