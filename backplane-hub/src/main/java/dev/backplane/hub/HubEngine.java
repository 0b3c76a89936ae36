package dev.backplane.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.Backplane;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.DaemonThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hub node and context: routes sends to channels, hands received envelopes to local sinks,
 * applies group commands, answers and awaits invocations, and keeps presence. A context is an
 * engine that holds no connections: it does not heartbeat and does not subscribe to sends.
 */
final class HubEngine implements HubNode {

    private static final System.Logger LOG = System.getLogger(HubEngine.class.getName());
    static final String ERROR_UNKNOWN_CONNECTION = "unknown-connection";
    static final String ERROR_CLIENT = "client-error";

    private final Backplane backplane;
    private final HubOptions options;
    private final boolean holdsConnections;
    private final String nodeId = Ids.newNodeId();
    private final ChannelNames channels;
    private final ObjectMapper mapper;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService sinkPool;
    private final LocalConnections locals;
    private final ChannelRefs refs;
    private final SeenMessages seen;
    private final PresenceView presence;
    private final PendingReplies pending;
    private final IncomingInvocations incoming;
    private final List<Subscription> fixedSubscriptions = new ArrayList<>();
    private final AtomicLong sendSeq = new AtomicLong();
    private final AtomicLong correlations = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final long startedAt = System.nanoTime();
    private long presenceSeq; // guarded by locals
    private long heartbeats; // guarded by locals
    private final LongAdder sent = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder declaredDead = new LongAdder();
    private volatile boolean publishFailureLogged;

    private HubEngine(Backplane backplane, HubOptions options, boolean holdsConnections) {
        this.backplane = Objects.requireNonNull(backplane, "backplane");
        this.options = Objects.requireNonNull(options, "options");
        this.holdsConnections = holdsConnections;
        this.channels = new ChannelNames(options.hub());
        this.mapper = options.objectMapper();
        this.timer = new ScheduledThreadPoolExecutor(1, new DaemonThreads("hub-" + nodeId + "-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.sinkPool = Executors.newCachedThreadPool(new DaemonThreads("hub-" + nodeId + "-sink"));
        this.locals = new LocalConnections(sinkPool);
        this.refs = new ChannelRefs(backplane, this::subscriberFor);
        this.seen = new SeenMessages(options.dedupCapacity());
        this.presence = new PresenceView(System::nanoTime, options.heartbeatInterval().toNanos());
        this.pending = new PendingReplies(timer);
        this.incoming = new IncomingInvocations(timer, options.invocationTimeout(),
                inc -> reply(inc.caller(), inc.correlation(), ERROR_CLIENT, utf8("connection " + inc.connectionId()
                        + " did not answer within " + options.invocationTimeout())));
    }

    static HubEngine start(Backplane backplane, HubOptions options, boolean holdsConnections) {
        HubEngine engine = new HubEngine(backplane, options, holdsConnections);
        try {
            engine.begin();
            return engine;
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    private void begin() {
        List<String> fixed = new ArrayList<>(List.of(channels.node(nodeId), channels.presence()));
        if (holdsConnections) {
            fixed.add(channels.all());
        }
        for (String channel : fixed) {
            fixedSubscriptions.add(await(backplane.subscribe(channel, subscriberFor(channel)), "subscribe to " + channel));
        }
        if (holdsConnections) {
            synchronized (locals) {
                publishPresence(channels.presence(), true);
            }
            long period = options.heartbeatInterval().toNanos();
            timer.scheduleAtFixedRate(this::heartbeat, period, period, TimeUnit.NANOSECONDS);
        }
        publish(channels.presence(), EnvelopeCodec.encode(Envelope.control(Envelope.Kind.SNAPSHOT_REQUEST, nodeId,
                sendSeq.incrementAndGet(), null, "", "", Envelope.EMPTY)));
        long sweep = options.sweepInterval().toNanos();
        timer.scheduleAtFixedRate(this::sweep, sweep, sweep, TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------ HubContext

    @Override
    public String hub() {
        return options.hub();
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public CompletableFuture<Void> send(Target target, String method, Object... args) {
        byte[] json;
        try {
            json = serialize(args == null ? new Object[] {null} : args);
        } catch (HubException e) {
            return CompletableFuture.failedFuture(e);
        }
        return sendJson(target, method, json);
    }

    @Override
    public CompletableFuture<Void> sendJson(Target target, String method, byte[] argumentsJson) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(argumentsJson, "argumentsJson");
        ensureOpen();
        Set<String> targetChannels = new LinkedHashSet<>();
        try {
            switch (target.kind()) {
                case ALL -> targetChannels.add(channels.all());
                case CONNECTIONS -> target.names().forEach(id -> targetChannels.add(channels.node(Ids.ownerOf(id))));
                case GROUPS -> target.names().forEach(g -> targetChannels.add(channels.group(g)));
                case USERS -> target.names().forEach(u -> targetChannels.add(channels.user(u)));
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        // Encoded once; the same bytes go to every channel, and receivers de-duplicate by message id.
        byte[] envelope = EnvelopeCodec.encode(new Envelope(Envelope.Kind.SEND, nodeId, sendSeq.incrementAndGet(),
                target, "", method, argumentsJson));
        sent.increment();
        CompletableFuture<?>[] publishes = targetChannels.stream().map(c -> publish(c, envelope))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(publishes);
    }

    @Override
    public CompletableFuture<Void> addToGroup(String connectionId, String group) {
        return groupCommand(Envelope.Kind.GROUP_ADD, connectionId, group);
    }

    @Override
    public CompletableFuture<Void> removeFromGroup(String connectionId, String group) {
        return groupCommand(Envelope.Kind.GROUP_REMOVE, connectionId, group);
    }

    private CompletableFuture<Void> groupCommand(Envelope.Kind kind, String connectionId, String group) {
        Objects.requireNonNull(group, "group");
        ensureOpen();
        try {
            channels.group(group); // refuses an empty name here rather than on the owner
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String what = (kind == Envelope.Kind.GROUP_ADD ? "adding " : "removing ") + "connection " + connectionId
                + (kind == Envelope.Kind.GROUP_ADD ? " to" : " from") + " group '" + group + "'";
        return request(kind, connectionId, group, Envelope.EMPTY, options.commandTimeout(), what).thenApply(r -> null);
    }

    @Override
    public CompletableFuture<byte[]> invokeJson(String connectionId, Duration timeout, String method, Object... args) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(method, "method");
        ensureOpen();
        byte[] json;
        try {
            json = serialize(args == null ? new Object[] {null} : args);
        } catch (HubException e) {
            return CompletableFuture.failedFuture(e);
        }
        return request(Envelope.Kind.INVOKE, connectionId, method, json, timeout,
                "invoking " + method + " on connection " + connectionId);
    }

    @Override
    public <T> CompletableFuture<T> invoke(String connectionId, Class<T> resultType, Duration timeout, String method,
            Object... args) {
        Objects.requireNonNull(resultType, "resultType");
        return invokeJson(connectionId, timeout, method, args).thenApply(json -> {
            try {
                return mapper.readValue(json, resultType);
            } catch (IOException e) {
                throw new ClientInvocationException("the answer of connection " + connectionId + " to " + method + " ("
                        + new String(json, StandardCharsets.UTF_8) + ") is not a " + resultType.getName() + ": "
                        + e.getMessage());
            }
        });
    }

    /** Sends a command to the connection's owner and awaits its answer, failing early when it cannot come. */
    private CompletableFuture<byte[]> request(Envelope.Kind kind, String connectionId, String name, byte[] payload,
            Duration timeout, String what) {
        String owner;
        try {
            owner = Ids.ownerOf(connectionId);
        } catch (UnknownConnectionException e) {
            return CompletableFuture.failedFuture(e);
        }
        RuntimeException early = ownerProblem(owner, connectionId, what);
        if (early != null) {
            return CompletableFuture.failedFuture(early);
        }
        String correlation = Long.toString(correlations.incrementAndGet());
        CompletableFuture<byte[]> answer = pending.register(correlation, owner, timeout,
                () -> new HubTimeoutException(what + ": node " + owner + " did not answer within " + timeout
                        + " (it may have stopped; presence declares a silent node dead after " + options.deathBound() + ")"));
        publish(channels.node(owner), EnvelopeCodec.encode(Envelope.control(kind, nodeId, sendSeq.incrementAndGet(),
                connectionId, correlation, name, payload)))
                .whenComplete((p, e) -> {
                    if (e != null) {
                        pending.fail(correlation, new HubException(what + ": the broker did not take the request: "
                                + rootCause(e).getMessage(), rootCause(e)));
                    }
                });
        return answer;
    }

    /** Why a request to {@code owner} cannot succeed, known without asking it; null if it may. */
    private RuntimeException ownerProblem(String owner, String connectionId, String what) {
        return switch (presence.status(owner)) {
            case ALIVE -> null;
            case GONE -> new NodeGoneException(what + ": node " + owner + " that owned the connection "
                    + ("left".equals(presence.goneReason(owner)) ? "has left the hub" : "was declared dead (no heartbeat)"));
            case UNKNOWN -> System.nanoTime() - startedAt < options.deathBound().toNanos()
                    ? null // just started: the owner's heartbeat may not have reached us yet
                    : new UnknownConnectionException(what + ": no live node " + owner + " in hub '" + options.hub()
                            + "', so connection " + connectionId + " does not exist");
        };
    }

    @Override
    public HubPresence presence() {
        return presence;
    }

    @Override
    public HubStats stats() {
        return new HubStats(sent.sum(), delivered.sum(), duplicates.sum(), malformed.sum(), gaps.sum(),
                declaredDead.sum());
    }

    // ------------------------------------------------------------------ HubNode

    @Override
    public CompletableFuture<HubConnection> connect(String userId, ConnectionSink sink) {
        Objects.requireNonNull(sink, "sink");
        requireNode("connect");
        ensureOpen();
        if (userId != null && userId.isEmpty()) {
            throw new IllegalArgumentException("userId must be null (anonymous) or non-empty");
        }
        HubConnection connection = new HubConnection(Ids.newConnectionId(nodeId), userId);
        CompletableFuture<Void> ready;
        synchronized (locals) {
            locals.add(connection, sink);
            ready = userId == null ? CompletableFuture.completedFuture(null) : refs.acquire(channels.user(userId));
        }
        presenceChanged();
        return ready.handle((v, e) -> {
            if (e != null) {
                disconnect(connection.id());
                throw new HubException("connecting " + connection.id() + " failed: could not subscribe to its user "
                        + "channel: " + rootCause(e).getMessage(), rootCause(e));
            }
            return connection;
        });
    }

    @Override
    public boolean disconnect(String connectionId) {
        requireNode("disconnect");
        LocalConnections.Local local;
        synchronized (locals) {
            local = locals.remove(connectionId);
            if (local == null) {
                return false;
            }
            local.groups().forEach(g -> refs.release(channels.group(g)));
            if (local.connection().userId() != null) {
                refs.release(channels.user(local.connection().userId()));
            }
        }
        for (IncomingInvocations.Incoming inc : incoming.takeAll(connectionId)) {
            reply(inc.caller(), inc.correlation(), ERROR_CLIENT,
                    utf8("connection " + connectionId + " disconnected before answering"));
        }
        presenceChanged();
        return true;
    }

    @Override
    public Collection<HubConnection> localConnections() {
        return locals.connections();
    }

    @Override
    public boolean completeInvocation(String connectionId, String invocationId, Object result) {
        return completeInvocationJson(connectionId, invocationId, serialize(result));
    }

    @Override
    public boolean completeInvocationJson(String connectionId, String invocationId, byte[] resultJson) {
        Objects.requireNonNull(resultJson, "resultJson");
        IncomingInvocations.Incoming inc = incoming.take(invocationId, connectionId);
        if (inc == null) {
            return false;
        }
        reply(inc.caller(), inc.correlation(), null, resultJson);
        return true;
    }

    @Override
    public boolean failInvocation(String connectionId, String invocationId, String error) {
        IncomingInvocations.Incoming inc = incoming.take(invocationId, connectionId);
        if (inc == null) {
            return false;
        }
        reply(inc.caller(), inc.correlation(), ERROR_CLIENT, utf8("connection " + connectionId + " answered "
                + "with an error: " + error));
        return true;
    }

    // ------------------------------------------------------------------ receiving

    private Subscriber subscriberFor(String channel) {
        return new Subscriber() {
            @Override
            public void onMessage(Delivery delivery) {
                receive(delivery);
            }

            @Override
            public void onGap(Gap gap) {
                gapReported(gap);
            }
        };
    }

    private void receive(Delivery delivery) {
        try {
            Envelope envelope;
            try {
                envelope = EnvelopeCodec.decode(delivery.payload());
            } catch (MalformedEnvelopeException e) {
                malformed.increment();
                LOG.log(System.Logger.Level.WARNING, "hub '" + options.hub() + "' node " + nodeId
                        + " skipped a malformed message on channel '" + delivery.channel() + "': " + e.getMessage());
                return;
            }
            handle(envelope);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "hub node " + nodeId + " failed to handle a message on '"
                    + delivery.channel() + "'", e);
        } finally {
            // Acknowledged even when it could not be handled: a redelivery would fail the same way.
            delivery.ack();
        }
    }

    private void handle(Envelope e) {
        switch (e.kind()) {
            case PRESENCE -> presence.onPresence(e.sender(), e.seq(), readPresence(e), this::requestSnapshot);
            case SNAPSHOT_REQUEST -> {
                if (holdsConnections && !e.sender().equals(nodeId)) {
                    synchronized (locals) {
                        publishPresence(channels.node(e.sender()), true);
                    }
                }
            }
            case GOODBYE -> {
                presence.onGoodbye(e.sender());
                pending.failNode(e.sender(), () -> new NodeGoneException("node " + e.sender() + " left the hub "
                        + "before answering"));
            }
            default -> {
                if (!seen.firstTime(e.messageId())) {
                    duplicates.increment();
                    return;
                }
                switch (e.kind()) {
                    case SEND -> deliver(e);
                    case INVOKE -> invokeLocal(e);
                    case GROUP_ADD, GROUP_REMOVE -> applyGroupCommand(e);
                    case REPLY_OK -> pending.complete(e.correlation(), e.payload());
                    case REPLY_ERROR -> pending.fail(e.correlation(), errorFor(e.name(), new String(e.payload(),
                            StandardCharsets.UTF_8)));
                    default -> throw new IllegalStateException("unhandled envelope kind " + e.kind());
                }
            }
        }
    }

    private void deliver(Envelope e) {
        if (!holdsConnections) {
            return;
        }
        HubMessage message = new HubMessage(e.name(), e.payload());
        for (LocalConnections.Local local : locals.resolve(e.target())) {
            delivered.increment();
            local.executor().execute(() -> {
                try {
                    local.sink().send(message);
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "sink of connection " + local.id() + " threw", ex);
                }
            });
        }
    }

    private void invokeLocal(Envelope e) {
        String connectionId = e.connectionId();
        LocalConnections.Local local = holdsConnections ? locals.get(connectionId) : null;
        if (local == null) {
            reply(e.sender(), e.correlation(), ERROR_UNKNOWN_CONNECTION, utf8("invoking " + e.name()
                    + ": node " + nodeId + " holds no connection " + connectionId + " (never did, or it disconnected)"));
            return;
        }
        String invocationId = incoming.add(connectionId, e.sender(), e.correlation());
        HubInvocation invocation = new HubInvocation(this, connectionId, invocationId, e.name(), e.payload());
        local.executor().execute(() -> {
            try {
                local.sink().invoke(invocation);
            } catch (RuntimeException ex) {
                failInvocation(connectionId, invocationId, "its sink threw " + ex);
            }
        });
    }

    private void applyGroupCommand(Envelope e) {
        String connectionId = e.connectionId();
        String group = e.name();
        boolean add = e.kind() == Envelope.Kind.GROUP_ADD;
        CompletableFuture<Void> applied;
        synchronized (locals) {
            LocalConnections.Local local = holdsConnections ? locals.get(connectionId) : null;
            if (local == null) {
                reply(e.sender(), e.correlation(), ERROR_UNKNOWN_CONNECTION, utf8((add ? "adding " : "removing ")
                        + "connection " + connectionId + (add ? " to" : " from") + " group '" + group + "': node "
                        + nodeId + " holds no such connection (never did, or it disconnected)"));
                return;
            }
            String channel = channels.group(group);
            if (add) {
                applied = locals.join(local, group) ? refs.acquire(channel) : refs.acquire(channel).thenRun(() -> refs.release(channel));
            } else {
                if (locals.leave(local, group)) {
                    refs.release(channel);
                }
                applied = CompletableFuture.completedFuture(null);
            }
        }
        presenceChanged();
        // Answered only once the group channel's subscription is active, so a send that starts after
        // the caller's future completes reaches the connection.
        applied.whenComplete((v, ex) -> reply(e.sender(), e.correlation(), ex == null ? null : "error",
                ex == null ? Envelope.EMPTY : utf8("subscribing to group '" + group + "' failed: " + rootCause(ex))));
    }

    private void reply(String caller, String correlation, String errorCode, byte[] payload) {
        Envelope.Kind kind = errorCode == null ? Envelope.Kind.REPLY_OK : Envelope.Kind.REPLY_ERROR;
        if (closed.get()) {
            return;
        }
        publish(channels.node(caller), EnvelopeCodec.encode(Envelope.control(kind, nodeId, sendSeq.incrementAndGet(),
                null, correlation, errorCode == null ? "" : errorCode, payload)));
    }

    private static RuntimeException errorFor(String code, String message) {
        return switch (code) {
            case ERROR_UNKNOWN_CONNECTION -> new UnknownConnectionException(message);
            case ERROR_CLIENT -> new ClientInvocationException(message);
            default -> new HubException(message);
        };
    }

    private void gapReported(Gap gap) {
        gaps.increment();
        LOG.log(System.Logger.Level.WARNING, "hub '" + options.hub() + "' node " + nodeId + ": the transport reports "
                + "possible loss on '" + gap.channel() + "': " + gap.reason());
        if (gap.channel().equals(channels.presence()) || gap.channel().equals(channels.node(nodeId))) {
            // Presence deltas or snapshot answers may be lost: ask every node for a fresh snapshot.
            publish(channels.presence(), EnvelopeCodec.encode(Envelope.control(Envelope.Kind.SNAPSHOT_REQUEST, nodeId,
                    sendSeq.incrementAndGet(), null, "", "", Envelope.EMPTY)));
        }
        try {
            options.gapListener().accept(gap);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "gap listener threw", e);
        }
    }

    // ------------------------------------------------------------------ presence

    private void presenceChanged() {
        if (flushScheduled.compareAndSet(false, true) && !closed.get()) {
            timer.execute(() -> {
                flushScheduled.set(false);
                synchronized (locals) {
                    if (locals.hasChanges()) {
                        publishPresence(channels.presence(), false);
                    }
                }
            });
        }
    }

    private void heartbeat() {
        synchronized (locals) {
            heartbeats++;
            publishPresence(channels.presence(), heartbeats % options.snapshotEvery() == 0);
        }
    }

    /**
     * Publishes this node's presence. Called under the {@code locals} lock, which orders presence
     * numbers with publish calls and keeps a snapshot consistent with its number. A snapshot
     * addressed to one node first flushes pending changes to everyone, then reuses that number.
     */
    private void publishPresence(String channel, boolean snapshot) {
        boolean broadcast = channel.equals(channels.presence());
        if (!broadcast && locals.hasChanges()) {
            publishPresence(channels.presence(), false);
        }
        if (broadcast) {
            presenceSeq++;
        }
        List<PresenceBody.Event> events = broadcast ? locals.drainChanges() : List.of();
        PresenceBody body = new PresenceBody(options.heartbeatInterval().toMillis(), options.missedHeartbeats(),
                snapshot ? List.of() : events, snapshot ? locals.snapshot() : null);
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("presence could not be serialized", e);
        }
        publish(channel, EnvelopeCodec.encode(Envelope.control(Envelope.Kind.PRESENCE, nodeId, presenceSeq, null, "",
                "", json)));
    }

    private PresenceBody readPresence(Envelope e) {
        try {
            PresenceBody body = mapper.readValue(e.payload(), PresenceBody.class);
            if (body.heartbeatMillis() <= 0 || body.missed() <= 0 || (body.snapshot() == null && body.events() == null)) {
                throw new IllegalArgumentException("incomplete presence body");
            }
            return body;
        } catch (IOException | IllegalArgumentException ex) {
            malformed.increment();
            throw new IllegalArgumentException("malformed presence from node " + e.sender() + ": " + ex.getMessage(), ex);
        }
    }

    private void requestSnapshot(String node) {
        publish(channels.node(node), EnvelopeCodec.encode(Envelope.control(Envelope.Kind.SNAPSHOT_REQUEST, nodeId,
                sendSeq.incrementAndGet(), null, "", "", Envelope.EMPTY)));
    }

    private void sweep() {
        for (String dead : presence.sweep()) {
            declaredDead.increment();
            LOG.log(System.Logger.Level.INFO, "hub '" + options.hub() + "' node " + nodeId + " declared node " + dead
                    + " dead: no presence message within its heartbeat interval x missed heartbeats");
            pending.failNode(dead, () -> new NodeGoneException("node " + dead + " was declared dead (no heartbeat) "
                    + "before answering"));
        }
    }

    // ------------------------------------------------------------------ plumbing

    private CompletableFuture<Position> publish(String channel, byte[] bytes) {
        try {
            return backplane.publish(channel, bytes).whenComplete((p, e) -> {
                if (e == null) {
                    publishFailureLogged = false;
                }
            });
        } catch (RuntimeException e) {
            // A closed or broken backplane under a live node: log once per stretch of failures.
            if (!publishFailureLogged) {
                publishFailureLogged = true;
                LOG.log(System.Logger.Level.WARNING, "hub node " + nodeId + " cannot publish to '" + channel + "': " + e);
            }
            return CompletableFuture.failedFuture(e);
        }
    }

    private byte[] serialize(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new HubException("could not serialize " + value.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(options.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new HubException("starting hub '" + options.hub() + "': " + what + " did not complete within "
                    + options.commandTimeout());
        } catch (ExecutionException e) {
            throw new HubException("starting hub '" + options.hub() + "': " + what + " failed: "
                    + rootCause(e).getMessage(), rootCause(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException("interrupted while starting hub '" + options.hub() + "'", e);
        }
    }

    private void requireNode(String what) {
        if (!holdsConnections) {
            throw new UnsupportedOperationException(what + " needs a HubNode; this is a context without connections");
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("hub '" + options.hub() + "' node " + nodeId + " is closed");
        }
    }

    private static Throwable rootCause(Throwable e) {
        while ((e instanceof java.util.concurrent.CompletionException || e instanceof ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (holdsConnections) {
            try {
                publish(channels.presence(), EnvelopeCodec.encode(Envelope.control(Envelope.Kind.GOODBYE, nodeId,
                        sendSeq.incrementAndGet(), null, "", "", Envelope.EMPTY))).get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "goodbye of node " + nodeId + " not sent: " + e);
            }
        }
        timer.shutdownNow();
        fixedSubscriptions.forEach(ChannelRefs::closeQuietly);
        refs.closeAll();
        pending.failAll(() -> new HubException("hub '" + options.hub() + "' node " + nodeId + " was closed"));
        sinkPool.shutdown();
    }

    @Override
    public String toString() {
        return (holdsConnections ? "HubNode[" : "HubContext[") + options.hub() + " " + nodeId + "]";
    }
}
