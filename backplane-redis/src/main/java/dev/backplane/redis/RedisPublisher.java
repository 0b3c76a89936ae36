package dev.backplane.redis;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.spi.Backoff;
import dev.backplane.spi.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Sends PUBLISH commands on one dedicated connection, from one thread, pipelined.
 *
 * <p>{@link #publish} puts the message in a bounded outbox and returns at once. The publisher
 * thread takes whatever has queued up (up to {@value #MAX_BATCH} messages), writes all of it,
 * flushes once and then reads the replies, completing each message's future from its own reply.
 * One connection and one FIFO outbox keep the messages of this instance in call order on every
 * channel. While Redis is unreachable the thread reconnects with {@link Backoff}; queued messages
 * wait for the reconnect, each for at most the publish timeout counted from its publish call.
 *
 * <p>A watchdog on the timer makes every bound hold whatever the thread is doing: it fails each
 * message still unsettled at its deadline with {@link BrokerUnavailableException}, and drops a
 * connection whose write or read has been stuck for longer than the publish timeout.
 */
final class RedisPublisher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisPublisher.class.getName());

    /** Most PUBLISH commands written before reading their replies. */
    static final int MAX_BATCH = 1024;

    private final RedisEndpoint endpoint;
    private final long timeoutNanos;
    private final Duration publishTimeout;
    private final int capacity;
    private final LinkedBlockingQueue<PublishRequest> outbox;
    /** Every unsettled request in publish order, so that the watchdog can expire them. Polled by the watchdog only. */
    private final ConcurrentLinkedQueue<PublishRequest> deadlines = new ConcurrentLinkedQueue<>();
    private final Executor completions;
    private final ScheduledExecutorService timer;
    private final Backoff backoff = RedisConnections.reconnectBackoff();
    private final Object startLock = new Object();

    private volatile Thread thread;
    private volatile ScheduledFuture<?> watchdog;
    private volatile boolean closing;
    /** Why the last connection attempt failed, or null while connected; for expiry messages. */
    private volatile String unavailableBecause;
    /** The publisher thread's connection; read by the watchdog to break a stuck write. */
    private volatile Connection connection;
    /** When the current batch's I/O started, or 0 when none is in progress. */
    private volatile long ioStartedNanos;
    /** Set when another connection saw Redis go away: the idle publisher connection is likely dead too. */
    private volatile boolean suspect;

    /**
     * @param completions where futures are completed, so that callers' callbacks never run on the I/O thread
     */
    RedisPublisher(RedisEndpoint endpoint, Duration publishTimeout, int capacity, Executor completions,
            ScheduledExecutorService timer) {
        this.endpoint = endpoint;
        this.publishTimeout = publishTimeout;
        this.timeoutNanos = publishTimeout.toNanos();
        this.capacity = capacity;
        this.outbox = new LinkedBlockingQueue<>(capacity);
        this.completions = completions;
        this.timer = timer;
    }

    /**
     * Queues a message. The future completes with {@link Position#NONE} once Redis replied to the
     * PUBLISH, or fails with {@link BrokerUnavailableException} (not accepted within the publish
     * timeout, outbox full, closed) or {@link BackplaneConfigurationException} (refused login or
     * permission).
     *
     * @param payload a copy the caller no longer touches
     */
    CompletableFuture<Position> publish(String channel, byte[] redisChannel, byte[] payload) {
        ensureStarted();
        PublishRequest request = new PublishRequest(channel, redisChannel, payload, System.nanoTime() + timeoutNanos);
        if (closing) {
            request.future.completeExceptionally(closed(request));
            return request.future;
        }
        if (!outbox.offer(request)) {
            request.future.completeExceptionally(new BrokerUnavailableException("publish to '" + channel
                    + "' refused: " + capacity + " publishes are already waiting for Redis at " + endpoint.hostAndPort()
                    + (unavailableBecause != null ? " (" + unavailableBecause + ")" : " (it is not keeping up)")
                    + "; wait for earlier publishes to complete or raise option "
                    + RedisPubSubOptions.MAX_PENDING_PUBLISHES));
            return request.future;
        }
        deadlines.add(request);
        if (closing) {
            // close() may have drained the outbox before this request landed in it
            request.future.completeExceptionally(closed(request));
        }
        return request.future;
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
                long sweep = Math.max(1, Math.min(20, publishTimeout.toMillis() / 10));
                watchdog = timer.scheduleWithFixedDelay(this::watch, sweep, sweep, TimeUnit.MILLISECONDS);
                Thread t = new DaemonThreads("backplane-redis-publisher").newThread(this::run);
                thread = t;
                t.start();
            }
        }
    }

    // ------------------------------------------------------------ publisher thread

    private void run() {
        List<PublishRequest> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (true) {
                PublishRequest first = outbox.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return;
                    }
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
            LOG.log(System.Logger.Level.ERROR, "Redis publisher stopped unexpectedly", e);
        } finally {
            disconnect();
            failEverythingQueued();
        }
    }

    /**
     * Sends one batch, reconnecting as long as some of it is still within its deadline. Messages
     * not yet written when a connection fails are kept, in order, for the next connection.
     */
    private void send(List<PublishRequest> batch) throws InterruptedException {
        while (true) {
            batch.removeIf(PublishRequest::isDone);
            if (batch.isEmpty()) {
                return;
            }
            if (suspect) {
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
    private boolean connect(List<PublishRequest> batch) throws InterruptedException {
        try {
            connection = RedisConnections.open(endpoint);
            unavailableBecause = null;
            backoff.reset();
            return true;
        } catch (BackplaneConfigurationException e) {
            // A refused login does not fix itself within a publish timeout: fail fast.
            unavailableBecause = e.getMessage();
            fail(batch, e);
            batch.clear();
            failQueued(e);
        } catch (BackplaneException e) {
            unavailableBecause = e.getMessage();
            if (closing) {
                BrokerUnavailableException cause = closedWhileUnavailable(e);
                fail(batch, cause);
                batch.clear();
                failQueued(cause);
                return false;
            }
        }
        pause(backoff.nextMillis());
        return false;
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

    /** Writes the batch and completes it from the replies; false if the connection failed. */
    private boolean write(List<PublishRequest> batch) {
        Connection c = connection;
        List<PublishRequest> sent = new ArrayList<>(batch.size());
        ioStartedNanos = System.nanoTime();
        try {
            for (PublishRequest r : batch) {
                if (r.isDone()) {
                    continue; // expired while waiting: never sent, so its failure is the truth
                }
                r.written = true;
                sent.add(r);
                c.sendCommand(Protocol.Command.PUBLISH, r.redisChannel, r.payload);
            }
            List<Object> replies = c.getMany(sent.size());
            complete(sent, replies);
            return true;
        } catch (RuntimeException e) {
            disconnect();
            BackplaneException cause = RedisConnections.translate(endpoint, e, "publishing");
            unavailableBecause = cause.getMessage();
            fail(sent, new BrokerUnavailableException("the connection to Redis at " + endpoint.hostAndPort()
                    + " failed before it confirmed this publish; the message may or may not have been published ("
                    + cause.getMessage() + ")", e));
            batch.removeIf(r -> r.written);
            return false;
        } finally {
            ioStartedNanos = 0;
        }
    }

    private void complete(List<PublishRequest> sent, List<Object> replies) {
        execute(() -> {
            for (int i = 0; i < sent.size(); i++) {
                Object reply = replies.get(i);
                PublishRequest r = sent.get(i);
                if (reply instanceof JedisDataException e) {
                    r.future.completeExceptionally(RedisConnections.translate(endpoint, e,
                            "publishing to '" + r.channel + "'"));
                } else {
                    r.future.complete(Position.NONE);
                }
            }
        });
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

    // ------------------------------------------------------------ watchdog (timer thread)

    private void watch() {
        long now = System.nanoTime();
        PublishRequest head;
        while ((head = deadlines.peek()) != null) {
            if (!head.isDone()) {
                if (!head.expiredAt(now)) {
                    break;
                }
                head.future.completeExceptionally(expired(head));
            }
            deadlines.poll();
        }
        long io = ioStartedNanos;
        Connection c = connection;
        if (io != 0 && now - io > timeoutNanos && c != null) {
            // A write to a broker that stopped reading blocks without a timeout: close the socket under it.
            try {
                c.disconnect();
            } catch (RuntimeException e) {
                // closing is all we wanted
            }
        }
    }

    private BrokerUnavailableException expired(PublishRequest r) {
        String why = r.written
                ? "Redis at " + endpoint.hostAndPort() + " did not answer in time; the message may or may not have been published"
                : unavailableBecause != null ? unavailableBecause
                : "Redis at " + endpoint.hostAndPort() + " is not keeping up";
        return new BrokerUnavailableException("publish to '" + r.channel + "' not confirmed within publishTimeout "
                + publishTimeout.toMillis() + "ms: " + why);
    }

    // ------------------------------------------------------------ failing and closing

    private void fail(List<PublishRequest> requests, BackplaneException cause) {
        if (requests.isEmpty()) {
            return;
        }
        List<PublishRequest> copy = List.copyOf(requests);
        execute(() -> copy.forEach(r -> r.future.completeExceptionally(cause)));
    }

    private void failQueued(BackplaneException cause) {
        List<PublishRequest> queued = new ArrayList<>();
        outbox.drainTo(queued);
        fail(queued, cause);
    }

    private void failEverythingQueued() {
        List<PublishRequest> queued = new ArrayList<>();
        outbox.drainTo(queued);
        queued.forEach(r -> r.future.completeExceptionally(closed(r)));
    }

    private BrokerUnavailableException closed(PublishRequest r) {
        return new BrokerUnavailableException("publish to '" + r.channel + "' not sent: the Redis backplane ("
                + endpoint.hostAndPort() + ") was closed first");
    }

    private BrokerUnavailableException closedWhileUnavailable(BackplaneException e) {
        return new BrokerUnavailableException("publish not sent: the backplane was closed while " + e.getMessage(), e);
    }

    private void execute(Runnable task) {
        try {
            completions.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
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
            join(t, publishTimeout.plusMillis(200));
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
        failEverythingQueued();
        PublishRequest r;
        while ((r = deadlines.poll()) != null) {
            r.future.completeExceptionally(closed(r));
        }
    }

    private static void join(Thread t, Duration timeout) {
        try {
            t.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
