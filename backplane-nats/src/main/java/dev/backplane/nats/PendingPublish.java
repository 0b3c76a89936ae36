package dev.backplane.nats;

import dev.backplane.Position;
import java.util.concurrent.CompletableFuture;

/** One publish on its way to the broker: what to send, by when, and the caller's future. */
final class PendingPublish {

    final String subject;
    final byte[] payload;
    final long deadlineNanos;
    /** JetStream only: the {@code Nats-Msg-Id} that lets a resend after a reconnect be recognised as the same message. */
    final String messageId;
    final CompletableFuture<Position> result = new CompletableFuture<>();

    /** Set when handed to the client: whether it went out at least once, and on which connection. */
    volatile boolean sent;
    volatile long violationMark;
    volatile long reconnectsAtSend;
    /** JetStream only: counts sends, so that the outcome of a superseded send is ignored. */
    volatile int attempt;

    PendingPublish(String subject, byte[] payload, long deadlineNanos, String messageId) {
        this.subject = subject;
        this.payload = payload;
        this.deadlineNanos = deadlineNanos;
        this.messageId = messageId;
    }

    /** Bytes it holds in an outbox. */
    long size() {
        return payload.length + subject.length() + 64L;
    }

    boolean expired(long now) {
        return now - deadlineNanos >= 0;
    }

    boolean done() {
        return result.isDone();
    }

    void fail(Throwable error) {
        result.completeExceptionally(error);
    }
}
