package dev.backplane.signalr.host;

import java.util.function.Consumer;

/**
 * The host's side of a connection's outgoing stream: a WebSocket, or the response body of a
 * Server-Sent Events request. Calls never block; the endpoint makes them one at a time, in order.
 */
public interface SocketWriter {

    /**
     * Writes one message: a WebSocket text or binary message, or raw bytes of an event stream.
     * {@code done} is called (on a host thread) with null when written, with the error otherwise.
     */
    void send(byte[] data, boolean binary, Consumer<Throwable> done);

    /** Closes cleanly: a WebSocket close with {@code code} and {@code reason}, or the end of the response. */
    void close(int code, String reason);

    /** Drops the transport at once, without a close handshake (as a network failure would). */
    void abort();
}
