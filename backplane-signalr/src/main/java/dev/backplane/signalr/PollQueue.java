package dev.backplane.signalr;

import dev.backplane.signalr.host.HttpReply;
import dev.backplane.signalr.host.PollReply;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Long polling: frames wait here until the client's next poll, which takes all of them at once. A
 * poll with nothing to take waits up to the poll timeout and then returns empty; after the
 * connection ended, polls get 204. The connection's {@code maxPendingWrites} bounds the frames.
 */
final class PollQueue implements Outbound {

    private final ScheduledExecutorService timer;
    private final long timeoutNanos;
    private final ArrayDeque<Pending> frames = new ArrayDeque<>();
    private PollReply waiting;
    private ScheduledFuture<?> waitingTimeout;
    private boolean closed;
    private boolean firstPoll = true;
    private boolean binary;
    private long lastPollEnded = System.nanoTime();

    private record Pending(byte[] frame, Consumer<Throwable> done) {
    }

    PollQueue(ScheduledExecutorService timer, long timeoutNanos) {
        this.timer = timer;
        this.timeoutNanos = timeoutNanos;
    }

    /** A poll arrived; it is answered now or when frames come (at the latest at the timeout). */
    synchronized void poll(PollReply reply) {
        if (waiting != null) {
            // A newer poll replaces a waiting one, which returns empty.
            answer(HttpReply.empty(200));
        }
        if (closed) {
            flushTo(reply, true);
            return;
        }
        if (firstPoll || !frames.isEmpty()) {
            // The first poll only confirms the transport; it returns at once, as clients expect.
            firstPoll = false;
            flushTo(reply, false);
            return;
        }
        waiting = reply;
        waitingTimeout = timer.schedule(this::timedOut, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private synchronized void timedOut() {
        if (waiting != null) {
            answer(HttpReply.empty(200));
        }
    }

    /** Whether a poll waits now, or when the last one ended (for the client timeout). */
    synchronized long idleSince(long now) {
        return waiting != null ? now : lastPollEnded;
    }

    @Override
    public synchronized void write(byte[] frame, boolean binaryFrame, Consumer<Throwable> done) {
        if (closed) {
            done.accept(new IllegalStateException("connection closed"));
            return;
        }
        binary |= binaryFrame;
        frames.add(new Pending(frame, done));
        if (waiting != null) {
            PollReply reply = waiting;
            waiting = null;
            cancelTimeout();
            flushTo(reply, false);
        }
    }

    @Override
    public synchronized void close(String reason) {
        closed = true;
        if (waiting != null) {
            PollReply reply = waiting;
            waiting = null;
            cancelTimeout();
            flushTo(reply, true);
        }
    }

    @Override
    public synchronized void abort() {
        closed = true;
        frames.forEach(p -> p.done().accept(new IllegalStateException("connection aborted")));
        frames.clear();
        if (waiting != null) {
            answer(HttpReply.empty(204));
        }
    }

    private void flushTo(PollReply reply, boolean thenClosed) {
        lastPollEnded = System.nanoTime();
        if (frames.isEmpty()) {
            reply.reply(HttpReply.empty(thenClosed ? 204 : 200));
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Pending p : frames) {
            body.writeBytes(p.frame());
        }
        frames.forEach(p -> p.done().accept(null));
        frames.clear();
        reply.reply(new HttpReply(200, binary ? "application/octet-stream" : "text/plain; charset=utf-8",
                body.toByteArray()));
    }

    private void answer(HttpReply reply) {
        PollReply r = waiting;
        waiting = null;
        cancelTimeout();
        lastPollEnded = System.nanoTime();
        r.reply(reply);
    }

    private void cancelTimeout() {
        if (waitingTimeout != null) {
            waitingTimeout.cancel(false);
            waitingTimeout = null;
        }
    }
}
