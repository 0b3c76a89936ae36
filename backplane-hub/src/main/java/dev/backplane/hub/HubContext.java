package dev.backplane.hub;

import dev.backplane.Backplane;
import dev.backplane.Health;
import dev.backplane.Registration;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends to a hub's connections, manages their groups and asks them for results, from anywhere:
 * a server instance ({@link HubNode} is a context) or a process that holds no connections at all
 * (a worker, another service on the same backplane), opened with {@link #open}.
 *
 * <p>Futures never hang: they complete or fail within the configured timeouts. They complete on
 * the callback executor of {@link HubOptions#resources()}, never on a backplane, sink or timer
 * thread: a callback may block, or call the hub again and wait, without stalling the node.
 * Thread-safe.
 */
public interface HubContext extends AutoCloseable {

    /**
     * Opens a context without connections on {@code backplane}, for the hub {@link HubOptions#hub()}.
     * Returns once it can receive answers. The backplane stays the caller's: closing the context
     * does not close it.
     */
    static HubContext open(Backplane backplane, HubOptions options) {
        return HubEngine.start(backplane, options, false);
    }

    /** The hub's name. */
    String hub();

    /** This process's id in the hub (also the prefix of its connection ids, for a node). */
    String nodeId();

    /**
     * Sends {@code method(args...)} to every connection {@code target} matches, once each. The
     * arguments are serialized to a JSON array once, with {@link HubOptions#objectMapper()}. The
     * future completes when the broker accepted the message on every channel it needs.
     *
     * @throws IllegalArgumentException if the message is larger than the backplane takes
     *     ({@link dev.backplane.Capabilities#maxPayloadBytes()}), before anything is sent
     */
    CompletableFuture<Void> send(Target target, String method, Object... args);

    /**
     * As {@link #send}, with arguments already serialized as a UTF-8 JSON array.
     *
     * @throws IllegalArgumentException if the message is larger than the backplane takes
     */
    CompletableFuture<Void> sendJson(Target target, String method, byte[] argumentsJson);

    /**
     * Adds a connection, on any node, to a group. Completes when the owner node has applied it: a
     * send to the group that starts after that reaches the connection. Fails at once with
     * {@link UnknownConnectionException} for an id that is not a connection of a live node (in the
     * first death bound after this context started: at the end of it, if the owner is still
     * unknown by then), with
     * {@link NodeGoneException} when the owner is known dead, with {@link HubTimeoutException}
     * after {@link HubOptions#commandTimeout()} when the owner does not answer.
     */
    CompletableFuture<Void> addToGroup(String connectionId, String group);

    /** Removes a connection from a group; completes and fails as {@link #addToGroup}. */
    CompletableFuture<Void> removeFromGroup(String connectionId, String group);

    /**
     * Invokes {@code method(args...)} on one client and completes with its answer, a JSON value in
     * UTF-8. Fails with {@link UnknownConnectionException}, {@link NodeGoneException} (also when the
     * owner is declared dead while waiting), {@link ClientInvocationException} (the client answered
     * with an error or disconnected) or {@link HubTimeoutException} after {@code timeout}.
     */
    CompletableFuture<byte[]> invokeJson(String connectionId, Duration timeout, String method, Object... args);

    /** As {@link #invokeJson}, reading the answer as {@code resultType}. */
    <T> CompletableFuture<T> invoke(String connectionId, Class<T> resultType, Duration timeout, String method,
            Object... args);

    /** The cluster-wide view of nodes, users, connections and groups. */
    HubPresence presence();

    /** Counters since start. */
    HubStats stats();

    /** Counters and levels read live, for a metrics library (see {@link HubMetrics}). */
    HubMetrics metrics();

    /**
     * This node's or context's health, read now: {@link Health.Status#DOWN} once closed, while it
     * cannot hear its own messages through the broker (for longer than 1.5 heartbeat intervals),
     * or while its backplane is DOWN (its health is the component {@code backplane}); the
     * backplane's DEGRADED otherwise; {@link Health.Status#UP} else. Details: the hub, the node id,
     * the local connections, the live nodes it sees, whether it hears itself.
     */
    Health health();

    /**
     * Makes {@code listener} hear this node's events from now on: slow clients disconnected, nodes
     * declared dead, and its backplane's events (connection lost and restored, gaps, failed
     * publishes), on the callback executor, in order (see {@link HubListener}).
     */
    Registration addListener(HubListener listener);

    /**
     * Leaves the hub: a node says goodbye (others drop its connections at once), pending futures
     * fail, subscriptions close. The backplane is not closed. Idempotent.
     */
    @Override
    void close();
}
