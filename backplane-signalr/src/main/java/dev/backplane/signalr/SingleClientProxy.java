package dev.backplane.signalr;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** One client, which can also be asked for a result. */
public interface SingleClientProxy extends ClientProxy {

    /**
     * Invokes {@code method(args...)} on the client, on whatever node it is, and completes with its
     * answer read as {@code resultType}. Fails with {@code dev.backplane.hub.ClientInvocationException}
     * when the client answers with an error or disconnects, {@code UnknownConnectionException} when
     * there is no such connection, {@code HubTimeoutException} after {@code timeout}. A hub method may
     * wait for it, even for its own caller's answer: answers are read outside the connection's
     * invocation lane. Completes on a hub thread.
     */
    <T> CompletableFuture<T> invoke(Class<T> resultType, Duration timeout, String method, Object... args);
}
