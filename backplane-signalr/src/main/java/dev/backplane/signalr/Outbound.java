package dev.backplane.signalr;

import dev.backplane.signalr.host.SocketWriter;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Where a connection's frames go: the transport it is attached to. Calls are made under the connection's lock. */
interface Outbound {

    void write(byte[] frame, boolean binary, Consumer<Throwable> done);

    /** Ends the transport cleanly (WebSocket close 1000, end of the event stream, 204 to the next poll). */
    void close(String reason);

    /** Drops the transport without a goodbye. */
    void abort();

    /** A WebSocket: each frame one WebSocket message, text or binary as the protocol says. */
    static Outbound webSocket(SocketWriter socket) {
        return new Outbound() {
            @Override
            public void write(byte[] frame, boolean binary, Consumer<Throwable> done) {
                socket.send(frame, binary, done);
            }

            @Override
            public void close(String reason) {
                socket.close(1000, reason);
            }

            @Override
            public void abort() {
                socket.abort();
            }
        };
    }

    /** Server-Sent Events: each frame one event, {@code data:} lines ended by a blank line. Text only. */
    static Outbound eventStream(SocketWriter stream) {
        return new Outbound() {
            @Override
            public void write(byte[] frame, boolean binary, Consumer<Throwable> done) {
                String text = new String(frame, StandardCharsets.UTF_8);
                StringBuilder event = new StringBuilder(text.length() + 16);
                for (String line : text.split("\n", -1)) {
                    event.append("data: ").append(line).append("\r\n");
                }
                event.append("\r\n");
                stream.send(event.toString().getBytes(StandardCharsets.UTF_8), false, done);
            }

            @Override
            public void close(String reason) {
                stream.close(1000, reason);
            }

            @Override
            public void abort() {
                stream.abort();
            }
        };
    }
}
