package dev.backplane.redis;

import dev.backplane.BackplaneConfig;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Sends {@code SPUBLISH} to a Redis Cluster from one thread, one message at a time, in call order,
 * through a Jedis {@link JedisCluster}: it sends each message to the master that owns the slot of
 * its Redis channel (so a message touches only its shard), follows {@code MOVED} and {@code ASK}
 * and refreshes its slot map when a node fails.
 *
 * <p>A publish that fails (the shard's master died and its replica is not promoted yet:
 * {@code CLUSTERDOWN}, refused connections, a demoted master's {@code READONLY}) is tried again with
 * {@link Backoff} until its publish timeout, counted from the call, has passed; then it fails with
 * {@link BrokerUnavailableException} whose message speaks of a failover, never Redis's own error
 * words. As with any resend after a broken connection, a message whose master died after
 * executing it and before replying may reach subscribers twice. Futures complete on the callback
 * executor.
 */
final class ClusterPublisher implements RedisPubSubBackplane.Publishing {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterPublisher.class);

    /** Attempts JedisCluster makes per call (each MOVED or failed connection counts one). */
    private static final int ATTEMPTS_PER_CALL = 5;
    /** How long JedisCluster may retry one call by itself before this thread tries again. */
    private static final Duration CALL_RETRIES = Duration.ofSeconds(1);

    private final RedisEndpoint endpoint;
    private final Duration publishTimeout;
    private final PublishOutbox outbox;
    private final Backoff backoff = RedisConnections.reconnectBackoff();
    private final Object startLock = new Object();
    private volatile Thread thread;
    private volatile boolean closing;
    private volatile JedisCluster client;

    ClusterPublisher(RedisEndpoint endpoint, BackplaneConfig config, Completions completions, BackplaneMonitor monitor) {
        this.endpoint = endpoint;
        this.publishTimeout = config.publishTimeout();
        this.outbox = new PublishOutbox("Redis at " + endpoint.hostAndPort(), config, completions,
                config.resources().scheduler(), Ticker.SYSTEM, monitor);
    }

    @Override
    public CompletableFuture<Position> publish(String channel, byte[] redisChannel, byte[] payload) {
        if (thread == null) {
            synchronized (startLock) {
                if (thread == null && !closing) {
                    Thread t = new DaemonThreads("backplane-redis-cluster-publisher").newThread(this::run);
                    thread = t;
                    t.start();
                }
            }
        }
        return outbox.submit(channel, payload, redisChannel).future();
    }

    private void run() {
        try {
            while (!closing || !outbox.nothingQueued()) {
                PendingPublish p = outbox.take(1, TimeUnit.SECONDS);
                if (p != null && outbox.markWritten(p)) {
                    send(p);
                }
            }
        } catch (InterruptedException e) {
            // close() gave up waiting for the outbox to drain
        } catch (RuntimeException | Error e) {
            LOG.error("Redis Cluster publisher stopped unexpectedly", e);
        } finally {
            JedisCluster c = client;
            if (c != null) {
                c.close();
            }
            outbox.close();
        }
    }

    /** Sends one message, trying again until its deadline. */
    private void send(PendingPublish p) throws InterruptedException {
        while (true) {
            try {
                cluster().spublish(p.<byte[]>attachment(), p.payload());
                outbox.unavailable(null);
                backoff.reset();
                outbox.succeed(p, Position.NONE);
                return;
            } catch (JedisAccessControlException e) {
                outbox.fail(p, RedisConnections.translate(endpoint, e, "publishing to '" + p.channel() + "'"));
                return;
            } catch (JedisException e) {
                String why = "the shard of channel '" + p.channel() + "' in the Redis " + endpoint.hostAndPort()
                        + " did not take the publish (" + RedisCluster.clean(e.getMessage()) + ")";
                outbox.unavailable(why);
                long wait = backoff.nextMillis();
                if (closing || outbox.remainingNanos(p) <= TimeUnit.MILLISECONDS.toNanos(wait)) {
                    outbox.fail(p, new BrokerUnavailableException(why + " within publishTimeout "
                            + publishTimeout.toMillis() + "ms"));
                    return;
                }
                Thread.sleep(wait);
            }
        }
    }

    private JedisCluster cluster() {
        JedisCluster c = client;
        if (c == null) {
            // Short per call: JedisCluster's own waits between attempts grow with the time it is given,
            // and this thread's own retries (with a fresh slot map each) find a promoted replica sooner.
            c = endpoint.cluster().newClient(ATTEMPTS_PER_CALL, CALL_RETRIES.compareTo(publishTimeout) < 0
                    ? CALL_RETRIES : publishTimeout);
            client = c;
        }
        return c;
    }

    @Override
    public void close() {
        Thread t;
        synchronized (startLock) {
            closing = true;
            t = thread;
        }
        if (t != null) {
            outbox.awaitSettled(publishTimeout.plusMillis(200));
            t.interrupt();
            RedisPublisher.join(t, Duration.ofSeconds(1));
        }
        outbox.close();
    }
}
