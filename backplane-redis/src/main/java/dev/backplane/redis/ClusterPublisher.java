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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisAskDataException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;

/**
 * Sends {@code SPUBLISH} to a Redis Cluster from one thread, pipelined per master: it takes
 * whatever has queued up (up to {@value #MAX_BATCH} messages), places each message by the slot of
 * its Redis channel on the master that owns it in the slot map of {@link RedisCluster} (so a
 * message touches only its shard), writes each master's messages on that master's connection and
 * reads their replies, settling each message from its own reply.
 *
 * <p>Order: one thread, one connection per master, and a batch finished before the next is taken,
 * so the messages of one channel (one slot, one master) reach Redis in call order. A message
 * refused because its slot moved ({@code MOVED}: a failover or a resharding) goes again, with the
 * rest of its master's share of the batch, after the slot map is read again; one refused with
 * {@code ASK} (its slot is being migrated) goes at once to the node named, after {@code ASKING}.
 * A message whose master cannot be reached ({@code CLUSTERDOWN}, a refused or broken connection, a
 * demoted master's {@code READONLY}) is tried again with {@link Backoff} until its publish timeout,
 * counted from the call, has passed; then it fails with {@link BrokerUnavailableException} whose
 * message speaks of a failover, never Redis's own error words. As with any resend after a broken
 * connection, a message whose master died after executing it and before replying may reach
 * subscribers twice. Futures complete on the callback executor.
 *
 * <p>A watchdog on the scheduler closes a connection whose write or read has been stuck for longer
 * than the publish timeout, so the thread goes on.
 */
final class ClusterPublisher implements RedisPubSubBackplane.Publishing {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterPublisher.class);

    /** Most SPUBLISH commands taken into one batch. */
    static final int MAX_BATCH = 1024;
    /** Rounds of a batch sent again at once after {@code MOVED} before waiting the backoff between them. */
    private static final int MOVED_ROUNDS = 3;

    private final RedisEndpoint endpoint;
    private final Duration publishTimeout;
    private final PublishOutbox outbox;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff = RedisConnections.reconnectBackoff();
    private final Object startLock = new Object();
    /** The publisher thread's connections, one per master. */
    private final Map<HostAndPort, Connection> connections = new HashMap<>();
    private volatile Thread thread;
    private volatile ScheduledFuture<?> watchdog;
    private volatile boolean closing;
    /** The connection being written or read, and since when (0: none); read by the watchdog. */
    private volatile Connection inUse;
    private volatile long ioStartedNanos;

    ClusterPublisher(RedisEndpoint endpoint, BackplaneConfig config, Completions completions, BackplaneMonitor monitor) {
        this.endpoint = endpoint;
        this.publishTimeout = config.publishTimeout();
        this.scheduler = config.resources().scheduler();
        this.outbox = new PublishOutbox("Redis at " + endpoint.hostAndPort(), config, completions, scheduler,
                Ticker.SYSTEM, monitor);
    }

    @Override
    public CompletableFuture<Position> publish(String channel, byte[] redisChannel, byte[] payload) {
        if (thread == null) {
            synchronized (startLock) {
                if (thread == null && !closing) {
                    long sweep = Math.max(1, Math.min(20, publishTimeout.toMillis() / 10));
                    watchdog = scheduler.scheduleWithFixedDelay(this::watch, sweep, sweep, TimeUnit.MILLISECONDS);
                    Thread t = new DaemonThreads("backplane-redis-cluster-publisher").newThread(this::run);
                    thread = t;
                    t.start();
                }
            }
        }
        return outbox.submit(channel, payload, redisChannel).future();
    }

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
                batch.removeIf(p -> !outbox.markWritten(p)); // expired while queued: never sent
                send(batch);
            }
        } catch (InterruptedException e) {
            // close() gave up waiting for the outbox to drain
        } catch (RuntimeException | Error e) {
            LOG.error("Redis Cluster publisher stopped unexpectedly", e);
        } finally {
            connections.values().forEach(ClusterPublisher::closeQuietly);
            connections.clear();
            outbox.close();
        }
    }

    /** Sends the batch, master by master, until every message is settled. */
    private void send(List<PendingPublish> batch) throws InterruptedException {
        List<PendingPublish> left = batch;
        int movedRounds = 0;
        while (!left.isEmpty()) {
            Map<HostAndPort, List<PendingPublish>> byMaster;
            try {
                byMaster = byMaster(left);
            } catch (BackplaneConfigurationException e) {
                left.forEach(p -> outbox.fail(p, e)); // a refused TLS handshake does not fix itself
                return;
            } catch (BackplaneException e) {
                left = retryLater(left, e.getMessage());
                continue;
            }
            List<PendingPublish> again = new ArrayList<>();
            String why = null;
            for (Map.Entry<HostAndPort, List<PendingPublish>> share : byMaster.entrySet()) {
                String failure = sendTo(share.getKey(), share.getValue(), again);
                why = failure != null ? failure : why;
            }
            if (again.isEmpty()) {
                outbox.unavailable(null);
                backoff.reset();
                return;
            }
            // Only MOVED: the slot map was read again, so they go again at once (a few times, then with the backoff).
            left = why == null && ++movedRounds <= MOVED_ROUNDS ? again
                    : retryLater(again, why != null ? why : unreachable(again.get(0), "its slot keeps moving"));
        }
    }

    /** The messages by the master that owns their slot in the slot map (read now if there is none), in order. */
    private Map<HostAndPort, List<PendingPublish>> byMaster(List<PendingPublish> messages) {
        Map<HostAndPort, List<PendingPublish>> byMaster = new LinkedHashMap<>();
        RedisCluster cluster = endpoint.cluster();
        for (PendingPublish p : messages) {
            int slot = RedisCluster.slot(p.<byte[]>attachment());
            HostAndPort owner = cluster.knownOwner(slot);
            if (owner == null) {
                cluster.shardOf(slot); // reads the map, or throws if no master owns the slot
                owner = cluster.knownOwner(slot);
            }
            byMaster.computeIfAbsent(owner, m -> new ArrayList<>()).add(p);
        }
        return byMaster;
    }

    /**
     * Writes one master's share and settles it from the replies. Messages to send again go to
     * {@code again}, in order.
     *
     * @return why some must wait before they go again (the master is unreachable), or null
     */
    private String sendTo(HostAndPort master, List<PendingPublish> share, List<PendingPublish> again) {
        Connection c;
        try {
            c = connection(master);
        } catch (BackplaneConfigurationException e) {
            share.forEach(p -> outbox.fail(p, e));
            return null;
        } catch (BackplaneException e) {
            again.addAll(share);
            return unreachable(share.get(0), e.getMessage());
        }
        List<Object> replies;
        try {
            replies = io(c, () -> {
                for (PendingPublish p : share) {
                    c.sendCommand(Protocol.Command.SPUBLISH, p.<byte[]>attachment(), p.payload());
                }
                return c.getMany(share.size());
            });
        } catch (RuntimeException e) {
            drop(master);
            again.addAll(share);
            return unreachable(share.get(0), RedisConnections.translate(endpoint, e, "publishing").getMessage());
        }
        String why = null;
        boolean moved = false;
        for (int i = 0; i < share.size(); i++) {
            PendingPublish p = share.get(i);
            Object reply = replies.get(i);
            if (!(reply instanceof JedisDataException e)) {
                outbox.succeed(p, Position.NONE);
            } else if (e instanceof JedisAccessControlException || isPermission(e)) {
                outbox.fail(p, RedisConnections.translate(endpoint, e, "publishing to '" + p.channel() + "'"));
            } else if (e instanceof JedisAskDataException ask && asked(ask.getTargetNode(), p)) {
                continue;
            } else {
                // MOVED, CLUSTERDOWN, READONLY, TRYAGAIN, or an ASK the named node did not take.
                moved |= e instanceof JedisMovedDataException;
                again.add(p);
                if (!(e instanceof JedisMovedDataException)) {
                    why = unreachable(p, RedisCluster.clean(e.getMessage()));
                }
            }
        }
        if (moved) {
            refreshSlotMap();
        }
        return why;
    }

    /** Sends one message to the node an {@code ASK} named, after {@code ASKING}; true if it was settled there. */
    private boolean asked(HostAndPort node, PendingPublish p) {
        try {
            Connection c = connection(node);
            List<Object> replies = io(c, () -> {
                c.sendCommand(Protocol.Command.ASKING);
                c.sendCommand(Protocol.Command.SPUBLISH, p.<byte[]>attachment(), p.payload());
                return c.getMany(2);
            });
            if (replies.get(1) instanceof JedisDataException) {
                return false;
            }
            outbox.succeed(p, Position.NONE);
            return true;
        } catch (RuntimeException e) {
            drop(node);
            return false;
        }
    }

    private String unreachable(PendingPublish p, String cause) {
        return "the shard of channel '" + p.channel() + "' in the Redis " + endpoint.hostAndPort()
                + " did not take the publish (" + RedisCluster.clean(cause) + ")";
    }

    /**
     * Waits the backoff before the messages go again, failing those whose publish timeout would
     * pass meanwhile (all of them when closing).
     *
     * @return the messages still to send
     */
    private List<PendingPublish> retryLater(List<PendingPublish> messages, String why) throws InterruptedException {
        outbox.unavailable(why);
        long wait = backoff.nextMillis();
        List<PendingPublish> left = new ArrayList<>(messages.size());
        for (PendingPublish p : messages) {
            if (closing || outbox.remainingNanos(p) <= TimeUnit.MILLISECONDS.toNanos(wait)) {
                outbox.fail(p, new BrokerUnavailableException(why + " within publishTimeout "
                        + publishTimeout.toMillis() + "ms"));
            } else {
                left.add(p);
            }
        }
        if (!left.isEmpty()) {
            pause(wait);
            refreshSlotMap();
        }
        return left;
    }

    private void refreshSlotMap() {
        try {
            endpoint.cluster().refresh();
        } catch (BackplaneException e) {
            // no node answers now: the next attempt reads it again
        }
    }

    private Connection connection(HostAndPort master) {
        Connection c = connections.get(master);
        if (c != null && !c.isBroken()) {
            return c;
        }
        if (c != null) {
            drop(master);
        }
        c = RedisConnections.open(endpoint, new RedisSentinel.Master(master, master));
        connections.put(master, c);
        return c;
    }

    private void drop(HostAndPort master) {
        Connection c = connections.remove(master);
        if (c != null) {
            closeQuietly(c);
        }
    }

    /** Runs one write-and-read on {@code c} under the watchdog's eye. */
    private <T> T io(Connection c, java.util.function.Supplier<T> exchange) {
        inUse = c;
        ioStartedNanos = System.nanoTime();
        try {
            return exchange.get();
        } finally {
            ioStartedNanos = 0;
            inUse = null;
        }
    }

    private static boolean isPermission(JedisDataException e) {
        String message = String.valueOf(e.getMessage());
        return message.startsWith("NOPERM") || message.startsWith("NOAUTH") || message.startsWith("WRONGPASS");
    }

    /** Waits between attempts; close() cuts the wait short. */
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

    private void watch() {
        long io = ioStartedNanos;
        Connection c = inUse;
        if (io != 0 && System.nanoTime() - io > publishTimeout.toNanos() && c != null) {
            // A write to a node that stopped reading blocks without a timeout: close the socket under it.
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (RuntimeException e) {
            // already broken
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (startLock) {
            closing = true;
            t = thread;
        }
        if (t != null) {
            LockSupport.unpark(t);
            outbox.awaitSettled(publishTimeout.plusMillis(200));
            t.interrupt();
            RedisPublisher.join(t, Duration.ofSeconds(1));
        }
        ScheduledFuture<?> w = watchdog;
        if (w != null) {
            w.cancel(false);
        }
        outbox.close();
    }
}
