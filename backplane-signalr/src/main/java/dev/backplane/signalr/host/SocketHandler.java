package dev.backplane.signalr.host;

/** The endpoint's side of an accepted WebSocket or event stream; the host calls it. */
public interface SocketHandler {

    /**
     * A whole WebSocket message arrived (never for an event stream, whose client posts instead).
     * Calls for one socket are sequential.
     */
    void received(byte[] data, boolean binary);

    /** The transport ended: closed by the client, failed ({@code error} not null), or closed by us. */
    void closed(Throwable error);
}
