package dev.backplane.signalr.jetty;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import dev.backplane.signalr.host.SocketHandler;
import dev.backplane.signalr.host.SocketWriter;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The open response of a Server-Sent Events request: Jetty allows one write at a time, so writes
 * queue here and go out in order. The request's callback completes when the stream ends.
 */
final class EventStreamResponse implements SocketWriter {

    private record Write(ByteBuffer data, boolean last, Consumer<Throwable> done) {
    }

    private final Response response;
    private final Callback requestDone;
    private final ArrayDeque<Write> queue = new ArrayDeque<>();
    private boolean writing;
    private boolean ended;
    private SocketHandler handler;

    EventStreamResponse(Response response, Callback requestDone) {
        this.response = response;
        this.requestDone = requestDone;
    }

    void handler(SocketHandler h) {
        this.handler = h;
    }

    @Override
    public void send(byte[] data, boolean binary, Consumer<Throwable> done) {
        enqueue(new Write(ByteBuffer.wrap(data), false, done));
    }

    @Override
    public void close(int code, String reason) {
        enqueue(new Write(ByteBuffer.allocate(0), true, e -> { }));
    }

    @Override
    public void abort() {
        failed(new IllegalStateException("event stream aborted"));
    }

    /** The client went away, or a write failed. */
    void failed(Throwable error) {
        SocketHandler h;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            queue.forEach(w -> w.done().accept(error));
            queue.clear();
            h = handler;
        }
        requestDone.failed(error);
        if (h != null) {
            h.closed(error);
        }
    }

    private void enqueue(Write w) {
        synchronized (this) {
            if (ended) {
                w.done().accept(new IllegalStateException("event stream ended"));
                return;
            }
            queue.add(w);
            if (writing) {
                return;
            }
            writing = true;
        }
        next();
    }

    private void next() {
        Write w;
        synchronized (this) {
            w = queue.poll();
            if (w == null || ended) {
                writing = false;
                return;
            }
        }
        response.write(w.last(), w.data(), new Callback() {
            @Override
            public void succeeded() {
                w.done().accept(null);
                if (w.last()) {
                    SocketHandler h;
                    synchronized (EventStreamResponse.this) {
                        ended = true;
                        h = handler;
                    }
                    requestDone.succeeded();
                    if (h != null) {
                        h.closed(null);
                    }
                    return;
                }
                next();
            }

            @Override
            public void failed(Throwable x) {
                w.done().accept(x);
                EventStreamResponse.this.failed(x);
            }
        });
    }
}
