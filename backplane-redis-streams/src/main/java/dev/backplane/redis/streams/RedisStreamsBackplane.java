package dev.backplane.redis.streams;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.redis.RedisConnections;
import dev.backplane.redis.RedisEndpoint;
import dev.backplane.redis.RedisSentinel;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.spi.AbstractBackplane;
import dev.backplane.spi.Backoff;
import dev.backplane.spi.PendingPublish;
import dev.backplane.spi.PublishOutbox;
import dev.backplane.spi.Ticker;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamInfo;

/**
 * A backplane on Redis Streams: at-least-once, replay from an entry id, per-publisher order.
 *
 * <p>Each channel is one stream, {@code prefix:channel} ({@code {prefix}:channel} on a Redis Cluster,
 * so that all of a prefix's streams share one slot), holding entries with the payload in
 * field {@code p}. A publish is {@code XADD key MAXLEN ~ maxLen * p payload m marker}; its future
 * completes with the entry id as the {@link Position} once Redis answers. Every instance reads
 * every stream it subscribes to with plain {@code XREAD} (no consumer group), so every instance
 * sees every message. See the module's README for the options and guarantees.
 *
 * <p>Threads: one command thread and one reader thread per instance, each with its connection.
 * Publish and subscribe futures complete, and subscribers run, on the callback executor of the
 * configuration's {@link dev.backplane.BackplaneResources}; deadlines and redeliveries are kept on
 * its scheduler. Neither thread of the instance ever runs a caller's code.
 */
public final class RedisStreamsBackplane extends AbstractBackplane {

    private static final System.Logger LOG = System.getLogger(RedisStreamsBackplane.class.getName());
    private static final int BLOCK_MILLIS = 2000;
    private static final byte[] WAKE_FIELD = {'w'};

    private final RedisEndpoint endpoint;
    private final StreamsSettings settings;
    private final StreamKeys keys;
    private final RedisFailures failures;
    private final Capabilities capabilities;
    private final String instanceId = UUID.randomUUID().toString().substring(0, 12);
    private final String wakeKey;
    private final PublishOutbox outbox;
    private final CommandPipeline commands;
    private final StreamReader reader;
    private final Set<StreamSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    // At most one wake-up of the reader waits to be sent: later requests are covered by it.
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    // Behind Sentinel, the master each connection went to: a connection is made again when the sentinels name another.
    private volatile RedisSentinel.Master commandsMaster;
    private volatile RedisSentinel.Master readerMaster;

    /**
     * Connects to Redis and checks that the user may do what the backplane needs.
     *
     * @throws dev.backplane.BrokerUnavailableException if Redis cannot be reached within the connect timeout
     * @throws dev.backplane.BackplaneConfigurationException if the URI, an option, the credentials or
     *     the user's permissions do not allow the backplane to work
     */
    RedisStreamsBackplane(BackplaneConfig config) {
        super(config);
        this.endpoint = RedisEndpoint.from(config);
        this.settings = StreamsSettings.from(config);
        this.keys = new StreamKeys(config.prefix(), endpoint.cluster() != null);
        this.failures = new RedisFailures(endpoint, keys.pattern(), config.connectTimeout());
        this.capabilities = new Capabilities("redis-streams", DeliveryGuarantee.AT_LEAST_ONCE, true, true,
                settings.maxPayloadBytes(), true);
        this.wakeKey = keys.wake(instanceId);
        Jedis first;
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        Backoff backoff = RedisConnections.reconnectBackoff();
        try {
            first = open(deadline, backoff);
        } catch (RuntimeException e) {
            endpoint.close(); // stops the sentinel listeners, if they started
            throw e;
        }
        String epoch = firstEpoch;
        ScheduledExecutorService scheduler = config.resources().scheduler();
        this.outbox = new PublishOutbox("Redis at " + failures.address(), config, completions, scheduler, Ticker.SYSTEM,
                monitor);
        this.commands = new CommandPipeline(first, this::connectCommands, () -> endpoint.moved(commandsMaster),
                failures, outbox, new PublishedEntries(keys, instanceId, settings.maxLen()), settings.waitReplicas(),
                settings.waitTimeout(), scheduler, config.publishTimeout(), "backplane-redis-streams-commands");
        // Operations: the reader's connection, always held and blocked in XREAD, is this backplane's
        // connection state (health, lost and restored events).
        connected();
        this.reader = new StreamReader(this::connectReader, () -> endpoint.moved(readerMaster), () -> {
            commands.suspectConnection();
            connectionLost("the reading connection to Redis at " + endpoint.hostAndPort() + " failed");
        }, failures, keys, wakeKey, settings, BLOCK_MILLIS, epoch, "backplane-redis-streams-reader");
    }

    // Set by open(), read once in the constructor.
    private String firstEpoch;

    /** The first command connection, probed, within the connect timeout. */
    private Jedis open(long deadline, Backoff backoff) {
        Jedis first = null;
        while (first == null) {
            RedisSentinel.Master master;
            Jedis jedis;
            try {
                master = locate();
                jedis = connect(master, "connect");
            } catch (BrokerUnavailableException e) {
                // Behind Sentinel or on a cluster, a failover may be under way: the new master is named shortly.
                boolean failover = endpoint.sentinel() != null || endpoint.cluster() != null;
                if (!failover || System.nanoTime() - deadline > 0 || !backoff.pause()) {
                    throw e;
                }
                continue;
            }
            try {
                firstEpoch = probe(jedis);
                first = jedis;
                commandsMaster = master;
            } catch (RuntimeException e) {
                jedis.close();
                // Redis just restarted and still loading its data, or the master just moved: wait for
                // it, within the connect timeout.
                if (!(RedisFailures.isTryAgain(e) || isMasterMoved(e)) || System.nanoTime() - deadline > 0
                        || !backoff.pause()) {
                    throw e;
                }
            }
        }
        return first;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /**
     * Entries of subscribed streams that no backplane wrote (without the payload field {@code p}),
     * skipped by this instance's reader since it opened. Each is logged once per run of such
     * entries on one stream.
     */
    public long foreignEntriesSkipped() {
        return reader.foreignEntriesSkipped();
    }

    @Override
    protected CompletableFuture<Position> doPublish(String channel, byte[] payload) {
        PendingPublish publish = outbox.submit(channel, payload.clone());
        commands.wake();
        return publish.future();
    }

    @Override
    protected CompletableFuture<Subscription> doSubscribe(String channel, Position from, Subscriber subscriber) {
        StreamEntryID replayAfter = from == null ? null : EntryIds.parse(from);
        String key = keys.stream(channel);
        byte[] rawKey = StreamKeys.bytes(key);
        StreamSubscription subscription = new StreamSubscription(channel, key, subscriber, config, this::wakeReader,
                this::forget);
        CompletableFuture<StreamEnd> end = commands.submit("XREAD and XINFO STREAM", key, pipeline -> {
            // A read after the largest possible id returns nothing at once: it checks that the user
            // may read the stream before the subscription counts as active.
            Response<?> mayRead = pipeline.xreadBinary(XReadParams.xReadParams().count(1),
                    Map.of(rawKey, EntryIds.LAST_POSSIBLE));
            Response<StreamInfo> info = pipeline.xinfoStream(key);
            return () -> {
                mayRead.get();
                return StreamEnd.of(info);
            };
        });
        // Runs on the command thread (or the scheduler, on failure): only quick steps of our own.
        return end.thenApply(stream -> {
            if (replayAfter == null) {
                subscription.start(stream.lastGenerated(), false);
            } else if (replayAfter.compareTo(stream.lastGenerated()) > 0) {
                subscription.startBeyondTheEnd(beyondTheEnd(channel, key, from, stream), stream.firstEntry());
            } else {
                subscription.start(replayAfter, true);
            }
            subscriptions.add(subscription);
            reader.add(subscription);
            if (isClosed()) {
                subscription.close();
            } else {
                wakeReader();
            }
            return subscription;
        });
    }

    @Override
    protected void doClose() {
        List.copyOf(subscriptions).forEach(StreamSubscription::close);
        reader.close();
        byte[] rawWake = StreamKeys.bytes(wakeKey);
        commands.submit("DEL", wakeKey, pipeline -> {
            Response<Long> deleted = pipeline.del(rawWake);
            return deleted::get;
        }).whenComplete((n, e) -> {
            if (e != null) {
                LOG.log(System.Logger.Level.DEBUG, () -> "could not delete " + wakeKey + ": " + e);
            }
        });
        commands.close();
        endpoint.close();
    }

    private void forget(StreamSubscription subscription) {
        subscriptions.remove(subscription);
        reader.remove(subscription);
    }

    /**
     * Wakes the blocked reader, so that it reads a new subscription's stream, or the stream of a
     * subscription that regained capacity, at once. Quick and non-blocking: it runs on the thread
     * that acknowledged.
     */
    private void wakeReader() {
        if (isClosed() || !wakeQueued.compareAndSet(false, true)) {
            return;
        }
        byte[] rawWake = StreamKeys.bytes(wakeKey);
        commands.submit("XADD", wakeKey, pipeline -> {
            // Cleared as it is sent: a request after this point needs a wake-up of its own.
            wakeQueued.set(false);
            Response<byte[]> id = pipeline.xadd(rawWake, XAddParams.xAddParams().maxLen(1),
                    Map.of(WAKE_FIELD, WAKE_FIELD));
            return id::get;
        }).whenComplete((id, e) -> {
            if (e != null) {
                wakeQueued.set(false);
                // The reader is then reconnecting anyway, and reads every subscription when it does.
                LOG.log(System.Logger.Level.DEBUG, () -> "could not wake the reader: " + e);
            }
        });
    }

    private Gap beyondTheEnd(String channel, String key, Position from, StreamEnd stream) {
        return new Gap(channel, from, stream.firstEntry() == null ? Position.NONE : EntryIds.position(
                stream.firstEntry()), "position " + from.value() + " is beyond the end of stream '" + key
                + "' (its newest id is " + stream.lastGenerated() + "): Redis at " + failures.address()
                + " lost the data it came from (restarted without persistence, or flushed), or it came from another "
                + "prefix or server; everything the stream retains is replayed");
    }

    /** What {@code XINFO STREAM} says about a stream's ends; 0-0 and null for a stream not yet created. */
    record StreamEnd(StreamEntryID lastGenerated, StreamEntryID firstEntry) {

        static StreamEnd of(Response<StreamInfo> info) {
            try {
                StreamInfo stream = info.get();
                return new StreamEnd(stream.getLastGeneratedId(),
                        stream.getFirstEntry() == null ? null : stream.getFirstEntry().getID());
            } catch (JedisDataException e) {
                if (e.getMessage() != null && e.getMessage().contains("no such key")) {
                    return new StreamEnd(EntryIds.ZERO, null);
                }
                throw e;
            }
        }
    }

    /**
     * Opens an authenticated connection (Jedis connects in the constructor) to {@code master};
     * behind Sentinel, checked to be the master still.
     */
    private Jedis connect(RedisSentinel.Master master, String what) {
        Jedis jedis;
        try {
            jedis = new Jedis(master.address(), endpoint.clientConfig());
        } catch (RuntimeException e) {
            // A refused TLS client shows as a dropped connection: TLS asks the server why.
            BackplaneConfigurationException tls = RedisConnections.tlsProblem(endpoint, e);
            throw tls != null ? tls : failures.translate(e, what, null);
        }
        RedisConnections.requireMaster(endpoint, master, jedis.getConnection());
        return jedis;
    }

    /**
     * The server to connect to now: on a cluster, the master of the prefix's slot (every key of the
     * prefix is in that one slot).
     */
    private RedisSentinel.Master locate() {
        return endpoint.locate(keys.epoch());
    }

    private static boolean isMasterMoved(RuntimeException e) {
        return RedisFailures.isMasterMoved(e) || e.getCause() != null && RedisFailures.isMasterMoved(e.getCause());
    }

    /** A command connection to a Redis that serves commands (not still loading its data after a restart). */
    private Jedis connectCommands() {
        RedisSentinel.Master master = locate();
        Jedis jedis = connect(master, "reconnect");
        try {
            jedis.get(keys.epoch());
            commandsMaster = master;
            return jedis;
        } catch (RuntimeException e) {
            jedis.close();
            throw failures.translate(e, "GET", keys.epoch());
        }
    }

    private Jedis connectReader() {
        Jedis jedis;
        RedisSentinel.Master master;
        try {
            master = locate();
            jedis = connect(master, "reconnect");
            readerMaster = master;
        } catch (RuntimeException e) {
            connectionLost(e.getMessage());
            throw e;
        }
        connected();
        // A blocked XREAD must end by its block timeout before the socket's timeout does.
        jedis.getConnection().setSoTimeout(BLOCK_MILLIS + (int) Math.min(Integer.MAX_VALUE / 2,
                config.publishTimeout().toMillis()));
        return jedis;
    }

    /**
     * Runs, once, one command of each kind the backplane needs on keys of its prefix, so that a
     * missing permission is reported when the backplane opens, and reads the data-set token.
     */
    private String probe(Jedis jedis) {
        String epochKey = keys.epoch();
        byte[] rawWake = StreamKeys.bytes(wakeKey);
        Response<String> created;
        Response<String> epoch;
        Response<byte[]> added;
        Response<?> read;
        Response<?> readBack;
        Response<StreamInfo> info;
        try {
            Pipeline pipeline = jedis.pipelined();
            created = pipeline.set(epochKey, UUID.randomUUID().toString(), SetParams.setParams().nx());
            epoch = pipeline.get(epochKey);
            added = pipeline.xadd(rawWake, XAddParams.xAddParams().maxLen(1), Map.of(WAKE_FIELD, WAKE_FIELD));
            read = pipeline.xreadBinary(XReadParams.xReadParams().count(1), Map.of(rawWake, EntryIds.LAST_POSSIBLE));
            readBack = pipeline.xrevrange(wakeKey, "+", "-", 1);
            info = pipeline.xinfoStream(wakeKey);
            pipeline.sync();
        } catch (RuntimeException e) {
            throw failures.translate(e, "connect", null);
        }
        answer(created, "SET", epochKey);
        String token = answer(epoch, "GET", epochKey);
        answer(added, "XADD", wakeKey);
        answer(read, "XREAD", wakeKey);
        answer(readBack, "XREVRANGE", wakeKey);
        answer(info, "XINFO STREAM", wakeKey);
        return token;
    }

    private <T> T answer(Response<T> response, String command, String key) {
        try {
            return response.get();
        } catch (RuntimeException e) {
            throw failures.translate(e, command, key);
        }
    }
}
