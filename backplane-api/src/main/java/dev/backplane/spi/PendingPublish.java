package dev.backplane.spi;

import dev.backplane.Position;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One publish from the call to its outcome, the same on every transport: what to send, by when,
 * whether it was written to the broker yet, and the caller's future. Created and settled by a
 * {@link PublishOutbox}; the transport reads it, marks it written and reports the broker's answer
 * back to the outbox.
 *
 * <p>States: <em>queued</em> (not written, so failing it is exact: it will not be sent later),
 * <em>written</em> (on its way to or at the broker; failing it now means its outcome is unknown),
 * <em>settled</em> (the future is completed or being completed; nothing changes it any more).
 */
public final class PendingPublish {

    private static final int QUEUED = 0;
    private static final int TAKEN = 1;
    private static final int WRITTEN = 2;
    private static final int SETTLED = 3;

    private final String channel;
    private final byte[] payload;
    private final long deadlineNanos;
    final CompletableFuture<Position> future = new CompletableFuture<>();
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    // Written once on a connection that broke before the broker answered: it may have been stored.
    private volatile boolean uncertain;
    private volatile Object attachment;

    PendingPublish(String channel, byte[] payload, long deadlineNanos) {
        this.channel = channel;
        this.payload = payload;
        this.deadlineNanos = deadlineNanos;
    }

    /** The logical channel. */
    public String channel() {
        return channel;
    }

    /** The payload: the outbox's own copy, which the caller no longer touches. Never modify it. */
    public byte[] payload() {
        return payload;
    }

    /** When the publish must be settled by, on the outbox's {@link Ticker}. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** The caller's future, completed on the callback executor. */
    public CompletableFuture<Position> future() {
        return future;
    }

    /** Whether it was written to the broker (now, or on an earlier connection): its outcome may be unknown if it fails. */
    public boolean outcomeUnknownIfLost() {
        return uncertain || state.get() == WRITTEN;
    }

    /** Whether the outcome is decided. */
    public boolean isSettled() {
        return state.get() == SETTLED;
    }

    /** Something the transport keeps with the publish (a message id, the connection it went out on). */
    @SuppressWarnings("unchecked")
    public <T> T attachment() {
        return (T) attachment;
    }

    /** Keeps {@code value} with the publish, for the transport. */
    public void attach(Object value) {
        this.attachment = value;
    }

    /** Bytes it accounts for in an outbox. */
    public long size() {
        return payload.length + 2L * channel.length() + 96;
    }

    /** Queued → taken by the transport; false if it was settled meanwhile. */
    boolean markTaken() {
        return state.compareAndSet(QUEUED, TAKEN);
    }

    boolean markWritten() {
        return state.compareAndSet(TAKEN, WRITTEN);
    }

    /** Written → taken again: the client refused the write at the call, before any byte left. */
    boolean markNotWritten() {
        return state.compareAndSet(WRITTEN, TAKEN);
    }

    /** Taken or written → queued again, for a transport that sends it (once more) later. */
    boolean markRequeued() {
        if (state.compareAndSet(WRITTEN, QUEUED)) {
            uncertain = true;
            return true;
        }
        return state.compareAndSet(TAKEN, QUEUED);
    }

    /** Written → queued again, as never written: the client refused the bytes after all. */
    boolean markUnwritten() {
        return state.compareAndSet(WRITTEN, QUEUED);
    }

    /** Settles it; false if it was settled already. */
    boolean settle() {
        while (true) {
            int s = state.get();
            if (s == SETTLED) {
                return false;
            }
            if (state.compareAndSet(s, SETTLED)) {
                return true;
            }
        }
    }

    boolean isQueued() {
        return state.get() == QUEUED;
    }

    boolean isWritten() {
        return state.get() == WRITTEN;
    }

    boolean isTakenOrWritten() {
        int s = state.get();
        return s == TAKEN || s == WRITTEN;
    }

    @Override
    public String toString() {
        return "PendingPublish[" + channel + ", " + payload.length + " bytes, "
                + (isSettled() ? "settled" : isWritten() ? "written" : state.get() == TAKEN ? "taken"
                : uncertain ? "queued again" : "queued") + "]";
    }
}
