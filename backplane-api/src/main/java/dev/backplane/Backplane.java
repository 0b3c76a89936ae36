package dev.backplane;

import java.util.concurrent.CompletableFuture;

/**
 * A message bus between the instances of a real-time server.
 *
 * <p>A backplane publishes opaque byte payloads to logical <em>channels</em> and delivers them to
 * every subscription of that channel, on this instance and on every other instance connected to
 * the same broker with the same {@linkplain BackplaneConfig#prefix() prefix}. What is guaranteed
 * beyond that is declared by {@link #capabilities()} and specified rule by rule in
 * {@code CONTRACT.md}; the compatibility kit checks every rule against a real broker.
 *
 * <p>Obtain one with {@link Backplanes#open(String)}. Implementations are thread-safe.
 *
 * <h2>Threads</h2>
 * Futures returned here complete, and {@link Subscriber}s are called, on the callback executor
 * of the backplane's {@link BackplaneResources} (by default a shared pool; see
 * {@link Backplanes#open(java.net.URI, java.util.Map, BackplaneResources)} to give your own),
 * never on a thread the transport uses for I/O, completions or timers. A callback may therefore
 * block, or publish and wait for that publish, without stalling this backplane or any other. A
 * future already complete when returned runs what is chained on it on the chaining thread.
 *
 * <h2>Errors</h2>
 * <ul>
 *   <li>Bad arguments (null, an illegal channel name, a payload over
 *       {@link Capabilities#maxPayloadBytes()}) are refused at the call with
 *       {@link IllegalArgumentException} or {@link NullPointerException}.
 *   <li>Any call after {@link #close()} throws {@link IllegalStateException}.
 *   <li>Broker trouble never hangs a caller: it fails the returned future with a
 *       {@link BrokerUnavailableException} within the configured timeout.
 * </ul>
 *
 * <h2>Operations</h2>
 * {@link #health()} says whether the broker connection is up and how full the outbox and the
 * subscribers' backlogs are; {@link #addListener} hears the connection come, go and come back,
 * gaps, failed publishes and full backlogs as {@link BackplaneEvent}s; {@link #metrics()} counts
 * them, with the publishes and deliveries that went well.
 */
public interface Backplane extends AutoCloseable {

    /** What this backplane guarantees; constant for the life of the instance. */
    Capabilities capabilities();

    /**
     * Publishes {@code payload} to {@code channel}.
     *
     * <p>The future completes when the broker has accepted the message (for an at-least-once
     * transport: stored it durably enough that it will be delivered to current subscribers even
     * across a broker restart). It completes with the message's {@link Position}, or
     * {@link Position#NONE} where the transport has no positions. It fails with
     * {@link BrokerUnavailableException} when the broker did not accept the message within
     * {@link BackplaneConfig#publishTimeout()}; it never reports success for a message the broker
     * did not take. The payload array is not retained after the call returns.
     *
     * @throws IllegalArgumentException if the channel name is illegal (see {@link Channels}) or the
     *     payload is larger than {@link Capabilities#maxPayloadBytes()}
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if this backplane is closed
     */
    CompletableFuture<Position> publish(String channel, byte[] payload);

    /**
     * Subscribes to messages published to {@code channel} from now on.
     *
     * <p>The future completes once the subscription is active: every message whose publish
     * starts after that is delivered to it (at most once or at least once, as declared). It fails
     * with {@link BrokerUnavailableException} if the broker could not be reached in time.
     * Deliveries to one subscription are sequential, never concurrent, and in the declared order.
     *
     * @throws IllegalArgumentException if the channel name is illegal
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if this backplane is closed
     */
    CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber);

    /**
     * Subscribes to {@code channel}, first replaying the retained messages after {@code from}
     * (exclusive), then continuing with live messages without a gap or a duplicate between the
     * two. {@link Position#EARLIEST} replays everything retained. If messages after {@code from}
     * are no longer retained, {@link Subscriber#onGap(Gap)} is called before the first delivery.
     *
     * @throws UnsupportedOperationException if {@link Capabilities#replay()} is false
     * @throws IllegalArgumentException if the channel name is illegal or the position is not one
     *     this transport produced
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if this backplane is closed
     */
    CompletableFuture<Subscription> subscribe(String channel, Position from, Subscriber subscriber);

    /**
     * This backplane's health, read now without waiting on the broker: {@link Health.Status#DOWN}
     * while its broker connection is down or not made yet (and once closed),
     * {@link Health.Status#DEGRADED} while the outbox holds more than
     * {@link BackplaneEvent.OutboxFilling#THRESHOLD} of its bound or a subscription is at its
     * backlog bound, {@link Health.Status#UP} otherwise. The details say since when the
     * connection is in its state, the last error, the outbox fill, the unacknowledged deliveries,
     * the subscriber backlog and how long ago the last delivery was.
     */
    Health health();

    /** This backplane's counters and levels, read live (see {@link BackplaneMetrics}). */
    BackplaneMetrics metrics();

    /**
     * Makes {@code listener} hear this backplane's events from now on, on the callback executor,
     * in order (see {@link BackplaneListener}).
     */
    Registration addListener(BackplaneListener listener);

    /**
     * Closes every subscription and the broker connections. Publishes still in flight complete
     * or fail; none is left pending forever. Idempotent.
     */
    @Override
    void close();
}
