package dev.backplane.redis;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.spi.Backoff;
import dev.backplane.spi.BackplaneMonitor;
import dev.backplane.spi.Completions;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.PendingPublish;
import dev.backplane.spi.PublishOutbox;
import dev.backplane.spi.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Sends PUBLISH commands on one dedicated connection, from one thread, pipelined.
 *
 * <p>{@link #publish} puts the message in the backplane's {@link PublishOutbox} and returns at
 * once. The publisher thread takes whatever has queued up (up to {@value #MAX_BATCH} messages),
 * writes all of it, flushes once and then reads the replies, settling each message from its own
 * reply. One connection and one FIFO outbox keep the messages of this instance in call order on
 * every channel. While Redis is unreachable the thread reconnects with {@link Backoff}; queued
 * messages wait for the reconnect, each for at most the publish timeout counted from its call
 * (the outbox's sweep fails it then). Futures complete on the callback executor.
 *
 * <p>A watchdog on the scheduler drops a connection whose write or read has been stuck for longer
 * than the publish timeout, so the thread goes on; closing a socket is all it does there.
 */
final class RedisPublisher implements RedisPubSubBackplane.Publishing {

    private static final Logger LOG = LoggerFactory.getLogger(RedisPublisher.class);

    /** Most PUBLISH commands written before reading their replies. */
    static final int MAX_BATCH = 1024;

    private final RedisEndpoint endpoint;
    private final long timeoutNanos;
    private final PublishOutbox outbox;
    private final Backoff backoff = RedisConnections.reconnectBackoff();
    private final Object startLock = new Object();
    private final ScheduledExecutorService scheduler;

    private volatile Thread thread;
    private volatile ScheduledFuture<?> watchdog;
    private volatile boolean closing;
    /** The publisher thread's connection; read by the watchdog to break a stuck write. */
    private volatile Connection connection;
    /** When the current batch's I/O started, or 0 when none is in progress. */
    private volatile long ioStartedNanos;
    /** Set when another connection saw Redis go away: the idle publisher connection is likely dead too. */
    private volatile boolean suspect;
    /** The master the connection went to (behind Sentinel, checked before each batch for a move). */
    private RedisSentinel.Master master;

    RedisPublisher(RedisEndpoint endpoint, BackplaneConfig config, Completions completions, BackplaneMonitor monitor) {
        this.endpoint = endpoint;
        this.timeoutNanos = config.publishTimeout().toNanos();
        this.scheduler = config.resources().scheduler();
        this.outbox = new PublishOutbox("Redis at " + endpoint.hostAndPort(), config, completions, scheduler,
                Ticker.SYSTEM, monitor);
    }

    /**
     * Queues a message. The future completes with {@link Position#NONE} once Redis replied to the
     * PUBLISH, or fails with {@link BrokerUnavailableException} (not sent: outbox full, closed, not
     * taken within the publish timeout), {@link dev.backplane.PublishOutcomeUnknownException}
     * (written, no reply) or {@link BackplaneConfigurationException} (refused login or permission).
     *
     * @param payload a copy the caller no longer touches
     */
    @Override
    public CompletableFuture<Position> publish(String channel, byte[] redisChannel, byte[] payload) {
        ensureStarted();
        return outbox.submit(channel, payload, redisChannel).future();
    }

    /**
     * Another connection to the same Redis failed. Reconnect before the next batch: writing to a
     * connection the server already closed would fail that batch with an unknown outcome, where a
     * fresh connection lets it wait in the outbox for the server to come back.
     */
    void connectionSuspect() {
        suspect = true;
    }

    private void ensureStarted() {
        if (thread != null) {
            return;
        }
        synchronized (startLock) {
            if (thread == null && !closing) {
                long sweep = Math.max(1, Math.min(20, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 10));
                watchdog = scheduler.scheduleWithFixedDelay(this::watch, sweep, sweep, TimeUnit.MILLISECONDS);
                Thread t = new DaemonThreads("backplane-redis-publisher").newThread(this::run);
                thread = t;
                t.start();
            }
        }
    }

    // ------------------------------------------------------------ publisher thread

    private void run() {
        List<PendingPublish> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (!closing || !outbox.nothingQueued()) {
                PendingPublish first = outbox.take(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                outbox.drainTo(batch, MAX_BATCH - 1);
                send(batch);
            }
        } catch (InterruptedException e) {
            // close() gave up waiting for the outbox to drain
        } catch (RuntimeException | Error e) {
            LOG.error("Redis publisher stopped unexpectedly", e);
        } finally {
            disconnect();
            outbox.close();
        }
    }

    /**
     * Sends one batch, reconnecting as long as some of it is still within its deadline. Messages
     * not yet written when a connection fails are kept, in order, for the next connection.
     */
    private void send(List<PendingPublish> batch) throws InterruptedException {
        while (true) {
            batch.removeIf(PendingPublish::isSettled);
            if (batch.isEmpty()) {
                return;
            }
            if (suspect || (connection != null && endpoint.moved(master))) {
                // Behind Sentinel a demoted master would still take PUBLISH, for its own subscribers only.
                suspect = false;
                disconnect();
            }
            if (connection == null && !connect(batch)) {
                continue;
            }
            if (write(batch)) {
                return;
            }
        }
    }

    /**
     * One connection attempt. After a failure it waits the backoff and returns false, having
     * failed and cleared the batch if waiting cannot help (refused login, closing).
     */
    private boolean connect(List<PendingPublish> batch) throws InterruptedException {
        try {
            RedisSentinel.Master located = endpoint.locate();
            connection = RedisConnections.open(endpoint, located);
            master = located;
            outbox.unavailable(null);
            backoff.reset();
            return true;
        } catch (BackplaneConfigurationException e) {
            // A refused login does not fix itself within a publish timeout: fail fast.
            outbox.unavailable(e.getMessage());
            failAll(batch, e);
            return false;
        } catch (BackplaneException e) {
            outbox.unavailable(e.getMessage());
            if (closing) {
                failAll(batch, new BrokerUnavailableException("publish not sent: the backplane was closed while "
                        + e.getMessage(), e));
                return false;
            }
        }
        pause(backoff.nextMillis());
        return false;
    }

    private void failAll(List<PendingPublish> batch, RuntimeException cause) {
        batch.forEach(p -> outbox.fail(p, cause));
        batch.clear();
        for (PendingPublish p; (p = outbox.poll()) != null; ) {
            outbox.fail(p, cause);
        }
    }

    /** Waits between connection attempts; close() cuts the wait short. */
    private void pause(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long left;
        while (!closing && (left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Writes the batch and settles it from the replies; false if the connection failed. */
    private boolean write(List<PendingPublish> batch) {
        Connection c = connection;
        List<PendingPublish> sent = new ArrayList<>(batch.size());
        ioStartedNanos = System.nanoTime();
        try {
            for (PendingPublish p : batch) {
                if (!outbox.markWritten(p)) {
                    continue; // expired while waiting: never sent, so its failure is the truth
                }
                sent.add(p);
                c.sendCommand(Protocol.Command.PUBLISH, p.<byte[]>attachment(), p.payload());
            }
            List<Object> replies = c.getMany(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                PendingPublish p = sent.get(i);
                if (replies.get(i) instanceof JedisDataException e) {
                    outbox.fail(p, RedisConnections.translate(endpoint, e, "publishing to '" + p.channel() + "'"));
                } else {
                    outbox.succeed(p, Position.NONE);
                }
            }
            return true;
        } catch (RuntimeException e) {
            disconnect();
            BackplaneException cause = RedisConnections.translate(endpoint, e, "publishing");
            outbox.unavailable(cause.getMessage());
            outbox.lost(sent, "the connection failed before Redis confirmed the publish (" + cause.getMessage() + ")", e);
            batch.removeIf(PendingPublish::isSettled);
            return false;
        } finally {
            ioStartedNanos = 0;
        }
    }

    private void disconnect() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // already broken
            }
        }
    }

    // ------------------------------------------------------------ watchdog (scheduler)

    private void watch() {
        long io = ioStartedNanos;
        Connection c = connection;
        if (io != 0 && System.nanoTime() - io > timeoutNanos && c != null) {
            // A write to a broker that stopped reading blocks without a timeout: close the socket under it.
            try {
                c.disconnect();
            } catch (RuntimeException e) {
                // closing is all we wanted
            }
        }
    }

    /**
     * Stops taking messages, lets the thread send what is queued while Redis is reachable (each
     * message still bounded by its own deadline), then fails whatever is left. Idempotent.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (startLock) {
            closing = true;
            t = thread;
        }
        if (t != null) {
            LockSupport.unpark(t); // out of a reconnect wait, if in one
            outbox.awaitSettled(Duration.ofNanos(timeoutNanos).plusMillis(200));
            if (t.isAlive()) {
                t.interrupt();
                Connection c = connection;
                if (c != null) {
                    try {
                        c.disconnect();
                    } catch (RuntimeException e) {
                        // closing is all we wanted
                    }
                }
                join(t, Duration.ofSeconds(1));
            }
        }
        ScheduledFuture<?> w = watchdog;
        if (w != null) {
            w.cancel(false);
        }
        outbox.close();
    }

    /** Waits up to {@code timeout} for {@code t} to end; keeps an interrupt for the caller. */
    static void join(Thread t, Duration timeout) {
        try {
            t.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
