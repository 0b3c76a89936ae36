package dev.backplane.signalr.jetty;

import dev.backplane.signalr.host.SocketHandler;
import dev.backplane.signalr.host.SocketWriter;
import dev.backplane.signalr.host.Upgrade;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * One WebSocket on Jetty's core API: whole messages (fragments joined) go to the endpoint's
 * handler, the endpoint's frames go out as text or binary messages. Control frames are Jetty's.
 */
final class JettySocket implements FrameHandler, SocketWriter {

    private final Upgrade upgrade;
    private final long maxMessageBytes;
    private CoreSession session;
    private SocketHandler handler;
    private ByteArrayOutputStream partial;
    private boolean partialBinary;
    private volatile boolean ended;

    JettySocket(Upgrade upgrade, long maxMessageBytes) {
        this.upgrade = upgrade;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        session = coreSession;
        handler = upgrade.open(this);
        callback.succeeded();
        session.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        byte op = frame.getOpCode();
        if (op == OpCode.TEXT || op == OpCode.BINARY || op == OpCode.CONTINUATION) {
            if (op != OpCode.CONTINUATION) {
                partial = new ByteArrayOutputStream(Math.max(16, frame.getPayloadLength()));
                partialBinary = op == OpCode.BINARY;
            }
            if (partial != null) {
                ByteBuffer payload = frame.getPayload();
                if (payload != null) {
                    byte[] bytes = new byte[payload.remaining()];
                    payload.get(bytes);
                    partial.writeBytes(bytes);
                }
                if (frame.isFin()) {
                    byte[] message = partial.toByteArray();
                    partial = null;
                    callback.succeeded();
                    handler.received(message, partialBinary);
                    session.demand();
                    return;
                }
                if (partial.size() > maxMessageBytes) {
                    callback.succeeded();
                    handler.received(partial.toByteArray(), partialBinary); // the endpoint refuses it with a reason
                    partial = null;
                    session.demand();
                    return;
                }
            }
        }
        callback.succeeded();
        session.demand();
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        callback.succeeded();
        end(cause);
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        callback.succeeded();
        end(closeStatus.isNormal() ? null : new IllegalStateException("WebSocket closed: " + closeStatus));
    }

    private void end(Throwable error) {
        if (ended) {
            return;
        }
        ended = true;
        if (handler != null) {
            handler.closed(error);
        }
    }

    // ------------------------------------------------------------------ SocketWriter

    @Override
    public void send(byte[] data, boolean binary, Consumer<Throwable> done) {
        session.sendFrame(new Frame(binary ? OpCode.BINARY : OpCode.TEXT, ByteBuffer.wrap(data)),
                Callback.from(() -> done.accept(null), done::accept), false);
    }

    @Override
    public void close(int code, String reason) {
        // A close reason is at most 123 bytes in a close frame.
        String r = reason == null ? "" : reason.length() > 100 ? reason.substring(0, 100) : reason;
        session.close(code, r, Callback.NOOP);
    }

    @Override
    public void abort() {
        session.abort();
    }
}
