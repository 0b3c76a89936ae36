package dev.backplane.redis;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.Backoff;
import dev.backplane.spi.BackplaneMonitor;
import dev.backplane.spi.DaemonThreads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.BinaryJedisShardedPubSub;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The subscriber side of one backplane instance: one Redis connection in pub/sub mode, read by one
 * thread, carrying every channel this instance subscribes to.
 *
 * <p>Subscriptions to one channel share one Redis SUBSCRIBE: the first one sends it and the last
 * one to close sends UNSUBSCRIBE. A subscribe future completes when Redis confirms the SUBSCRIBE.
 * Every SUBSCRIBE and UNSUBSCRIBE names one channel per reply, and Redis answers them in order, so
 * a queue of the channels awaiting a reply tells when the server's state matches ours.
 *
 * <p>The connection always holds one extra subscription, the control channel {@code prefix:}
 * (never a logical channel: those are not empty), so that it stays in pub/sub mode while no
 * logical channel is subscribed, and its confirmation says the connection is ready.
 *
 * <p>When the connection fails, the thread reconnects with {@link Backoff}, subscribes to every
 * channel again and, as each is confirmed, reports a {@link dev.backplane.Gap} to each subscription
 * that was active before: messages published in between were not delivered to it.
 *
 * <p>For a Redis Cluster there is one such subscriber per shard (see {@link ClusterSubscriber}):
 * given a {@link ClusterShard}, it connects to the master that owns the shard now, holds its
 * channels with {@code SSUBSCRIBE} (sharded pub/sub) and the shard's own control channel, and
 * instead of pinging (RESP2 sharded pub/sub has no pong Jedis reads) checks on every health check
 * that the cluster still names that master. Redis tells a shard subscriber that its channels moved
 * (a slot migrated, or its master failed over) by an unasked {@code sunsubscribe}; that, like a
 * dropped connection, makes it connect to the owner named now, subscribe again and report the gap.
 */
final class RedisSubscriber implements RedisPubSubBackplane.Subscribing {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSubscriber.class);

    /** Most channels named in one SUBSCRIBE when resubscribing. */
    private static final int RESUBSCRIBE_CHUNK = 1000;

    private final RedisEndpoint endpoint;
    /** The cluster shard this subscriber serves, or null for a server or a Sentinel master. */
    private final ClusterShard shard;
    private final byte[] controlChannel;
    private final Duration connectTimeout;
    private final Duration healthCheckInterval;
    private final int maxBacklog;
    private final Executor deliveryPool;
    private final ScheduledExecutorService timer;
    private final SessionWriter writer = new SessionWriter();
    private final Backoff backoff = RedisConnections.reconnectBackoff();
    private final Runnable onConnectionLost;
    private final BackplaneMonitor monitor;
    /** For a shard: takes the channels whose slot moved to another master, with their subscriptions. */
    private final ChannelHandOver handOver;

    /** Where a shard subscriber sends a channel whose slot another master owns now. */
    interface ChannelHandOver {
        /**
         * Takes over {@code redisName} and its subscriptions, each owed a gap for {@code reason}.
         *
         * @throws dev.backplane.BackplaneException if no subscriber can take it now
         */
        void handOver(String redisName, List<RedisSubscription> subscriptions, String reason);
    }

    private final Object lock = new Object();
    /** Channels wanted, by Redis name. Mutated under {@link #lock}; read by the socket reader without it. */
    private final Map<String, ChannelState> channels = new ConcurrentHashMap<>();
    /** Redis names of the channels sent in SUBSCRIBE/UNSUBSCRIBE on this connection and not yet answered, in order. */
    private final ArrayDeque<String> awaitingReply = new ArrayDeque<>();
    private final Map<String, Integer> awaitingCount = new HashMap<>();
    /** The connection once its control subscription is confirmed, else null. */
    private volatile Session ready;
    private Connection connection;
    /** The master the connection went to; the health check gives it up when the sentinels name another. */
    private volatile RedisSentinel.Master master;
    private Thread thread;
    private ScheduledFuture<?> healthCheck;
    private boolean closing;
    private long outageStartedNanos;
    private String outageCause;
    private long pingsSent;
    private volatile long pongsReceived;
    private volatile String unavailableBecause;
    /** The last configuration problem logged; the reader thread's own. */
    private String lastWarning;
    /**
     * Why the last attempt to connect was refused (credentials, TLS), until a connection is ready:
     * a subscribe meanwhile fails at once with it rather than after the connect timeout.
     */
    private volatile BackplaneConfigurationException refused;

    RedisSubscriber(RedisEndpoint endpoint, String prefix, Duration connectTimeout, Duration healthCheckInterval,
            int maxBacklog, Executor deliveryPool, ScheduledExecutorService timer, Runnable onConnectionLost,
            BackplaneMonitor monitor) {
        this(endpoint, null, null, prefix, connectTimeout, healthCheckInterval, maxBacklog, deliveryPool, timer,
                onConnectionLost, monitor);
    }

    /**
     * A subscriber for one shard of a cluster ({@code shard} and {@code handOver} not null), or as
     * above (both null).
     */
    RedisSubscriber(RedisEndpoint endpoint, ClusterShard shard, ChannelHandOver handOver, String prefix,
            Duration connectTimeout, Duration healthCheckInterval, int maxBacklog, Executor deliveryPool,
            ScheduledExecutorService timer, Runnable onConnectionLost, BackplaneMonitor monitor) {
        this.monitor = monitor;
        this.handOver = handOver;
        this.endpoint = endpoint;
        this.shard = shard;
        this.controlChannel = shard != null ? shard.controlChannel() : (prefix + ":").getBytes(StandardCharsets.US_ASCII);
        this.connectTimeout = connectTimeout;
        this.healthCheckInterval = healthCheckInterval;
        this.maxBacklog = maxBacklog;
        this.deliveryPool = deliveryPool;
        this.timer = timer;
        this.onConnectionLost = onConnectionLost;
    }

    /** The logical channel's state: its subscriptions and whether Redis confirmed the SUBSCRIBE. */
    private static final class ChannelState {
        final String redisName;
        final List<RedisSubscription> subscriptions = new CopyOnWriteArrayList<>();
        boolean confirmed;
        /** Why the subscriptions handed over from another shard missed messages, until confirmed here. */
        String handedOverBecause;

        ChannelState(String redisName) {
            this.redisName = redisName;
        }
    }

    /**
     * Subscribes to {@code redisName}, delivering as {@code channel}. The future completes once
     * Redis confirmed the subscription, or fails after the connect timeout.
     */
    @Override
    public CompletableFuture<Subscription> subscribe(String channel, String redisName, Subscriber subscriber) {
        RedisSubscription subscription = new RedisSubscription(channel, subscriber, deliveryPool, maxBacklog,
                s -> unsubscribe(redisName, s));
        synchronized (lock) {
            if (closing) {
                subscription.fail(new IllegalStateException("the Redis backplane is closed"));
                return subscription.ready();
            }
            startIfNeeded();
            BackplaneConfigurationException refusedNow = refused;
            if (ready == null && refusedNow != null) {
                subscription.fail(new BackplaneConfigurationException("subscribe to '" + channel + "' failed: "
                        + refusedNow.getMessage(), refusedNow));
                return subscription.ready();
            }
            ChannelState state = wanted(redisName);
            state.subscriptions.add(subscription);
            if (state.confirmed) {
                subscription.activate();
                return subscription.ready();
            }
        }
        try {
            timer.schedule(() -> expire(redisName, subscription), connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closedMeanwhile) {
            // close() fails every subscription that is still waiting
        }
        return subscription.ready();
    }

    /** The state of {@code redisName}, made (and subscribed, if connected) if it is not wanted yet; under {@link #lock}. */
    private ChannelState wanted(String redisName) {
        ChannelState state = channels.get(redisName);
        if (state == null) {
            state = new ChannelState(redisName);
            channels.put(redisName, state);
            if (ready != null) {
                send(ready, true, List.of(redisName));
            }
        }
        return state;
    }

    /**
     * Opens the subscriber connection now rather than at the first subscribe: it is the one the
     * backplane keeps open and pings, so its state is the backplane's connection state from the start.
     */
    @Override
    public void start() {
        synchronized (lock) {
            if (!closing) {
                startIfNeeded();
            }
        }
    }

    private void unsubscribe(String redisName, RedisSubscription subscription) {
        synchronized (lock) {
            ChannelState state = channels.get(redisName);
            if (state == null || !state.subscriptions.remove(subscription) || !state.subscriptions.isEmpty()) {
                return;
            }
            channels.remove(redisName);
            if (ready != null) {
                send(ready, false, List.of(redisName));
            }
        }
    }

    /** A subscription still unconfirmed after the connect timeout fails and is withdrawn. */
    private void expire(String redisName, RedisSubscription subscription) {
        synchronized (lock) {
            if (subscription.active || subscription.isClosed()) {
                return;
            }
            unsubscribe(redisName, subscription);
            String why = unavailableBecause;
            subscription.fail(new BrokerUnavailableException("subscribe to '" + subscription.channel()
                    + "' not confirmed by Redis at " + where() + " within connectTimeout "
                    + connectTimeout.toMillis() + "ms" + (why != null ? ": " + why : "")));
        }
    }

    private void startIfNeeded() {
        if (thread == null) {
            thread = new DaemonThreads("backplane-redis-subscriber").newThread(this::run);
            thread.start();
            writer.start();
            long interval = healthCheckInterval.toNanos();
            healthCheck = timer.scheduleWithFixedDelay(this::checkHealth, interval, interval, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Queues SUBSCRIBE or UNSUBSCRIBE for the writer, in the order of the replies awaited; called
     * under {@link #lock}, which never waits for the socket.
     */
    private void send(Session session, boolean subscribe, List<String> redisNames) {
        byte[][] names = new byte[redisNames.size()][];
        for (int i = 0; i < names.length; i++) {
            String name = redisNames.get(i);
            names[i] = name.getBytes(StandardCharsets.US_ASCII);
            awaitingReply.add(name);
            awaitingCount.merge(name, 1, Integer::sum);
        }
        writer.write(session, subscribe ? Session::add : Session::remove, names);
    }

    // ------------------------------------------------------------ subscriber thread

    private void run() {
        while (true) {
            synchronized (lock) {
                if (closing) {
                    return;
                }
            }
            Connection c;
            try {
                RedisSentinel.Master located = shard != null ? shard.locate() : endpoint.locate();
                c = RedisConnections.open(endpoint, located);
                master = located;
                if (shard != null) {
                    handOverMovedChannels(located);
                }
            } catch (BackplaneException e) {
                monitor.connectionLost(e.getMessage());
                if (e instanceof BackplaneConfigurationException configuration) {
                    refused = configuration;
                }
                unavailable(e);
                if (!pause()) {
                    return;
                }
                continue;
            }
            Session session = shard != null ? new ShardedSession() : new PlainSession(c);
            synchronized (lock) {
                if (closing) {
                    c.close();
                    return;
                }
                connection = c;
            }
            RuntimeException failure;
            try {
                session.run(c, controlChannel);
                failure = new IllegalStateException("the subscriber connection left pub/sub mode");
            } catch (JedisDataException e) {
                // Redis refused a SUBSCRIBE (no permission, no login): the channels waiting for it cannot be had.
                unavailable(RedisConnections.translate(endpoint, e, "subscribing"));
                failure = e;
            } catch (RuntimeException e) {
                failure = e;
            }
            lost(failure);
            try {
                c.close();
            } catch (RuntimeException e) {
                // it is broken already
            }
            if (!pause()) {
                return;
            }
        }
    }

    /**
     * For a shard, on the subscriber thread after connecting to {@code located} (whose
     * {@link ClusterShard#locate} just read the slot map): hands every channel whose slot another
     * master owns now, after a resharding moved it, to that master's shard subscriber. Redis ended
     * those subscriptions with an unasked {@code sunsubscribe}; subscribed here again, they would be
     * refused with {@code MOVED}.
     */
    private void handOverMovedChannels(RedisSentinel.Master located) {
        List<ChannelState> moved = new ArrayList<>();
        synchronized (lock) {
            for (ChannelState state : channels.values()) {
                HostAndPort owner = endpoint.cluster().knownOwner(RedisCluster.slot(
                        state.redisName.getBytes(StandardCharsets.US_ASCII)));
                if (owner != null && !owner.equals(located.address())) {
                    moved.add(state);
                }
            }
            moved.forEach(state -> channels.remove(state.redisName));
        }
        for (ChannelState state : moved) {
            String reason = "the slot of this channel moved from the Redis master at " + located.address()
                    + " to another master of the " + endpoint.hostAndPort() + " (a resharding); messages published "
                    + "to it while it moved were not delivered (at-most-once)";
            try {
                handOver.handOver(state.redisName, List.copyOf(state.subscriptions), reason);
            } catch (RuntimeException e) {
                // No shard can take it now: it stays here, and a refused SSUBSCRIBE brings it back.
                adopt(state.redisName, List.copyOf(state.subscriptions), reason);
            }
        }
    }

    /**
     * Takes over a channel another shard's subscriber gave up, with its subscriptions: their
     * dispatch, and so their order and backlog, come along; active ones are owed a gap for
     * {@code reason}, reported once this shard confirms the channel.
     */
    void adopt(String redisName, List<RedisSubscription> subscriptions, String reason) {
        synchronized (lock) {
            if (closing) {
                subscriptions.forEach(RedisSubscription::shutdown);
                return;
            }
            startIfNeeded();
            ChannelState state = wanted(redisName);
            for (RedisSubscription s : subscriptions) {
                s.rebind(x -> unsubscribe(redisName, x));
                if (s.isClosed()) {
                    continue; // closed on its way here: its close went to the former subscriber
                }
                if (s.active) {
                    s.gapOwed = true;
                }
                state.subscriptions.add(s);
            }
            if (state.subscriptions.isEmpty()) {
                channels.remove(redisName);
                if (ready != null) {
                    send(ready, false, List.of(redisName));
                }
                return;
            }
            if (state.confirmed) {
                // Already subscribed here for other subscriptions: the new ones are live from now.
                for (RedisSubscription s : state.subscriptions) {
                    if (!s.active) {
                        s.activate();
                    } else if (s.gapOwed) {
                        s.gapOwed = false;
                        s.gap(reason);
                    }
                }
            } else {
                state.handedOverBecause = reason;
            }
        }
    }

    /** Waits the backoff; false if closing. */
    private boolean pause() {
        try {
            Thread.sleep(backoff.nextMillis());
        } catch (InterruptedException e) {
            return false;
        }
        synchronized (lock) {
            return !closing;
        }
    }

    /**
     * Records why Redis cannot be had. A refused login or permission fails every subscribe
     * still waiting at once, since waiting will not fix it.
     */
    private void unavailable(BackplaneException e) {
        unavailableBecause = e.getMessage();
        if (!(e instanceof BackplaneConfigurationException)) {
            return;
        }
        if (!e.getMessage().equals(lastWarning)) {
            lastWarning = e.getMessage(); // once, not on every retry
            LOG.warn(e.getMessage());
        }
        synchronized (lock) {
            for (ChannelState state : List.copyOf(channels.values())) {
                for (RedisSubscription s : state.subscriptions) {
                    if (!s.active) {
                        state.subscriptions.remove(s);
                        s.fail(e);
                    }
                }
                if (state.subscriptions.isEmpty()) {
                    channels.remove(state.redisName);
                }
            }
        }
    }

    /** The control subscription is confirmed: the connection is ready; subscribe to every wanted channel. */
    private void connected(Session session) {
        monitor.connected();
        synchronized (lock) {
            ready = session;
            refused = null;
            unavailableBecause = null;
            backoff.reset();
            pingsSent = 0;
            pongsReceived = 0;
            for (List<String> names : sameSlotGroups(channels.keySet())) {
                for (int i = 0; i < names.size(); i += RESUBSCRIBE_CHUNK) {
                    send(session, true, names.subList(i, Math.min(names.size(), i + RESUBSCRIBE_CHUNK)));
                }
            }
        }
    }

    /**
     * The channels to subscribe again, in groups one command may name together: all of them for
     * plain pub/sub; for a shard, those of one slot ({@code SSUBSCRIBE} refuses channels of
     * several slots with {@code CROSSSLOT}).
     */
    private List<List<String>> sameSlotGroups(java.util.Collection<String> names) {
        if (shard == null) {
            return List.of(new ArrayList<>(names));
        }
        Map<Integer, List<String>> bySlot = new HashMap<>();
        for (String name : names) {
            bySlot.computeIfAbsent(RedisCluster.slot(name.getBytes(StandardCharsets.US_ASCII)), slot -> new ArrayList<>())
                    .add(name);
        }
        return new ArrayList<>(bySlot.values());
    }

    /** Redis answered the oldest SUBSCRIBE/UNSUBSCRIBE; if it was the last one for the channel, its state is Redis' state. */
    private void replied(String redisName) {
        synchronized (lock) {
            String expected = awaitingReply.poll();
            if (expected == null || !expected.equals(redisName)) {
                LOG.warn("Redis confirmed '" + redisName + "' while '" + expected
                        + "' was expected; reconnecting to resynchronize");
                dropConnection();
                return;
            }
            if (awaitingCount.merge(redisName, -1, Integer::sum) > 0) {
                return;
            }
            awaitingCount.remove(redisName);
            ChannelState state = channels.get(redisName);
            if (state == null || state.confirmed) {
                return; // unsubscribed: nothing waits for it
            }
            // The last command for this channel was a SUBSCRIBE, since wanting it again sends one.
            state.confirmed = true;
            String gapReason = state.handedOverBecause != null ? state.handedOverBecause
                    : outageStartedNanos == 0 ? null : gapReason(state);
            state.handedOverBecause = null;
            for (RedisSubscription s : state.subscriptions) {
                if (!s.active) {
                    s.activate();
                } else if (s.gapOwed) {
                    s.gapOwed = false;
                    s.gap(gapReason);
                }
            }
        }
    }

    private String gapReason(ChannelState state) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageStartedNanos);
        return "the connection to Redis at " + where() + " was lost (" + outageCause + ") and restored"
                + " after " + millis + " ms; messages published to this channel meanwhile were not delivered"
                + " (at-most-once)";
    }

    /** The connection failed: everything must be subscribed again, and active subscriptions owe a gap. */
    private void lost(RuntimeException failure) {
        synchronized (lock) {
            if (closing) {
                return;
            }
            onConnectionLost.run();
            if (ready != null || outageStartedNanos == 0) {
                outageStartedNanos = System.nanoTime();
                outageCause = String.valueOf(failure.getMessage());
            }
            // The monitor logs the change of state, once: "lost its connection (cause); reconnecting".
            monitor.connectionLost("the subscriber connection to Redis at " + where() + " failed: "
                    + outageCause);
            ready = null;
            connection = null;
            awaitingReply.clear();
            awaitingCount.clear();
            for (ChannelState state : channels.values()) {
                state.confirmed = false;
                for (RedisSubscription s : state.subscriptions) {
                    if (s.active) {
                        s.gapOwed = true;
                    }
                }
            }
            unavailableBecause = "lost the connection to Redis at " + where() + ": " + outageCause;
        }
    }

    private void dispatch(byte[] redisChannel, byte[] payload) {
        ChannelState state = channels.get(new String(redisChannel, StandardCharsets.US_ASCII));
        if (state == null) {
            return;
        }
        RedisSubscription[] targets = state.subscriptions.toArray(new RedisSubscription[0]);
        // Each subscription owns its array: copies are made before any subscriber can touch the original.
        for (int i = 0; i < targets.length - 1; i++) {
            targets[i].offer(payload.clone());
        }
        if (targets.length > 0) {
            targets[targets.length - 1].offer(payload);
        }
    }

    // ------------------------------------------------------------ health check (scheduler)

    /** Pings the connection; one that did not answer the previous ping is dropped and reconnected. */
    private void checkHealth() {
        synchronized (lock) {
            if (ready == null) {
                return;
            }
            if (shard != null) {
                // No ping in sharded pub/sub (see the class comment). Asking the cluster who owns the
                // shard is network I/O: on the writer's thread, never the shared scheduler's.
                RedisSentinel.Master connectedTo = master;
                writer.write(ready, (session, names) -> {
                    if (shard.moved(connectedTo)) {
                        LOG.info("a new master serves " + where() + "; moving the subscriber connection");
                        dropConnection();
                    }
                }, null);
                return;
            }
            if (endpoint.moved(master)) {
                LOG.info("the sentinels named a new " + endpoint.hostAndPort() + "; moving the subscriber connection");
                dropConnection();
                return;
            }
            if (pingsSent > pongsReceived) {
                LOG.warn("Redis at " + where() + " did not answer a ping within "
                        + healthCheckInterval.toMillis() + "ms; reconnecting");
                dropConnection();
                return;
            }
            pingsSent++;
            writer.write(ready, (session, names) -> session.sendPing(), null);
        }
    }

    /** Closes the socket under the reader, which then reconnects (or stops, if closing). */
    private void dropConnection() {
        Connection c = connection;
        if (c != null) {
            try {
                c.disconnect();
            } catch (RuntimeException e) {
                // closing the socket is all that matters
            }
        }
    }

    /** Closes every subscription and the connection, and stops the thread. Idempotent. */
    @Override
    public void close() {
        Thread t;
        List<RedisSubscription> all = new ArrayList<>();
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            channels.values().forEach(state -> all.addAll(state.subscriptions));
            channels.clear();
            t = thread;
            if (healthCheck != null) {
                healthCheck.cancel(false);
            }
            dropConnection();
        }
        for (RedisSubscription s : all) {
            if (s.active) {
                s.shutdown();
            } else {
                s.fail(new BrokerUnavailableException("subscribe to '" + s.channel()
                        + "' not completed: the Redis backplane was closed first"));
            }
        }
        writer.stop();
        if (t != null) {
            t.interrupt();
            try {
                t.join(Math.max(1000, connectTimeout.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Writes what the subscriber connection must send (SUBSCRIBE, UNSUBSCRIBE, PING) from a thread
     * of its own, so that a socket that stops taking bytes stalls only this thread: never the
     * callers of subscribe, the reader, or the shared scheduler. Commands for a session that is no
     * longer current are dropped (a new connection subscribes to everything again). At most
     * {@value #MAX_QUEUED} commands wait; beyond that the connection is dropped and rebuilt, which
     * sends the whole state again in a few commands.
     */
    private final class SessionWriter {
        static final int MAX_QUEUED = 100_000;

        private final java.util.concurrent.LinkedBlockingQueue<Runnable> queue =
                new java.util.concurrent.LinkedBlockingQueue<>(MAX_QUEUED);
        private Thread writerThread;
        private volatile boolean stopped;

        void start() {
            writerThread = new DaemonThreads("backplane-redis-subscriber-writer").newThread(this::run);
            writerThread.start();
        }

        void write(Session session, java.util.function.BiConsumer<Session, byte[][]> command, byte[][] names) {
            boolean queued = queue.offer(() -> {
                if (session != ready) {
                    return; // written for a connection that is gone
                }
                try {
                    command.accept(session, names);
                } catch (RuntimeException e) {
                    dropConnection();
                }
            });
            if (!queued) {
                dropConnection();
            }
        }

        private void run() {
            try {
                while (!stopped) {
                    Runnable next = queue.poll(1, TimeUnit.SECONDS);
                    if (next != null) {
                        next.run();
                    }
                }
            } catch (InterruptedException e) {
                // stopping
            }
        }

        void stop() {
            stopped = true;
            if (writerThread != null) {
                writerThread.interrupt();
            }
        }
    }

    /** Where this subscriber connects, for messages: the server, the Sentinel master, or the cluster shard. */
    private String where() {
        return shard != null ? shard.describe() : endpoint.hostAndPort();
    }

    /** A connection's pub/sub session, plain or sharded; the writer and the reader drive it. */
    private interface Session {
        /** Reads the connection on the calling thread until it fails or leaves pub/sub mode. */
        void run(Connection connection, byte[] control);

        void add(byte[][] channels);

        void remove(byte[][] channels);

        void sendPing();
    }

    /** Plain pub/sub ({@code SUBSCRIBE}): Jedis calls it on the reader thread. */
    private final class PlainSession extends BinaryJedisPubSub implements Session {
        private final Connection connection;

        PlainSession(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void run(Connection c, byte[] control) {
            proceed(c, control);
        }

        @Override
        public void add(byte[][] channels) {
            subscribe(channels);
        }

        @Override
        public void remove(byte[][] channels) {
            unsubscribe(channels);
        }

        @Override
        public void sendPing() {
            ping();
        }

        @Override
        public void onSubscribe(byte[] channel, int subscribedChannels) {
            confirmed(this, channel);
        }

        @Override
        public void onUnsubscribe(byte[] channel, int subscribedChannels) {
            unsubscribed(channel);
        }

        @Override
        public void onMessage(byte[] channel, byte[] message) {
            dispatch(channel, message);
        }

        @Override
        public void onPong(byte[] pattern) {
            pongsReceived++;
        }

        @Override
        public String toString() {
            return "Session[" + connection + "]";
        }
    }

    /**
     * Sharded pub/sub ({@code SSUBSCRIBE}) on one shard's master: Jedis calls it on the reader
     * thread. An {@code sunsubscribe} Redis sends unasked (the slot moved) matches no awaited reply,
     * so {@link #replied} drops the connection and the subscriber moves to the owner named now.
     */
    private final class ShardedSession extends BinaryJedisShardedPubSub implements Session {

        @Override
        public void run(Connection c, byte[] control) {
            proceed(c, control);
        }

        @Override
        public void add(byte[][] channels) {
            ssubscribe(channels);
        }

        @Override
        public void remove(byte[][] channels) {
            sunsubscribe(channels);
        }

        @Override
        public void sendPing() {
            // never called: the health check does not ping a shard
        }

        @Override
        public void onSSubscribe(byte[] channel, int subscribedChannels) {
            confirmed(this, channel);
        }

        @Override
        public void onSUnsubscribe(byte[] channel, int subscribedChannels) {
            unsubscribed(channel);
        }

        @Override
        public void onSMessage(byte[] channel, byte[] message) {
            dispatch(channel, message);
        }
    }

    /** An unsubscribe answered, or (sharded) sent by Redis because the channel's slot moved. */
    private void unsubscribed(byte[] channel) {
        if (channel != null) {
            replied(new String(channel, StandardCharsets.US_ASCII));
        }
    }

    /** A subscribe confirmed: the control channel's makes the connection ready, any other settles its channel. */
    private void confirmed(Session session, byte[] channel) {
        if (java.util.Arrays.equals(channel, controlChannel)) {
            connected(session);
        } else {
            replied(new String(channel, StandardCharsets.US_ASCII));
        }
    }
}
