package dev.backplane.signalr;

import java.util.concurrent.CompletableFuture;

/** Sends to the clients a {@link HubClients} call selected, on whatever node they are connected. */
public interface ClientProxy {

    /**
     * Calls {@code method(args...)} on every selected client. The arguments are serialized to JSON
     * once (MessagePack clients get the same values). Completes when the backplane accepted the
     * message; fails with the backplane's error otherwise. Completes on a backplane or hub thread:
     * do not block in a dependent stage, use an async variant.
     */
    CompletableFuture<Void> send(String method, Object... args);
}
