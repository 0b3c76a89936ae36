package dev.backplane.redis;

import dev.backplane.Position;
import java.util.concurrent.CompletableFuture;

/** One message on its way to Redis, with the caller's future and the time it must be settled by. */
final class PublishRequest {

    final String channel;
    final byte[] redisChannel;
    final byte[] payload;
    final long deadlineNanos;
    final CompletableFuture<Position> future = new CompletableFuture<>();
    /** Set once the PUBLISH was written to a connection: from then on its outcome may be unknown. */
    volatile boolean written;

    PublishRequest(String channel, byte[] redisChannel, byte[] payload, long deadlineNanos) {
        this.channel = channel;
        this.redisChannel = redisChannel;
        this.payload = payload;
        this.deadlineNanos = deadlineNanos;
    }

    boolean isDone() {
        return future.isDone();
    }

    boolean expiredAt(long nowNanos) {
        return nowNanos - deadlineNanos >= 0;
    }
}
