package dev.backplane.signalr;

import java.util.Map;
import java.util.concurrent.ConcurrentMap;

/** The connection a hub call is for. Thread-safe. */
public interface HubCallerContext {

    /** The connection's id, unique across every node of the hub; {@link HubClients#client} reaches it. */
    String connectionId();

    /** The authenticated user, or null for an anonymous connection; {@link HubClients#user} reaches it. */
    String userId();

    /** What the {@link Authenticator} said about the user (empty when anonymous). */
    UserIdentity identity();

    /** State kept for the life of the connection, shared by all its calls. */
    ConcurrentMap<String, Object> items();

    /** Query parameters of the request that opened the connection. */
    Map<String, String> query();

    /** Ends the connection: the client is told with a Close message, without error. */
    void abort();
}
