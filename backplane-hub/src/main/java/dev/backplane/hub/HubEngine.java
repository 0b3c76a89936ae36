package dev.backplane.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.Backplane;
import dev.backplane.Health;
import dev.backplane.Registration;
import dev.backplane.Subscription;
import dev.backplane.spi.Completions;
import dev.backplane.spi.DaemonThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hub node or context: checks the public calls, wires the parts that do the work, and owns the
 * lifecycle (start, connect/disconnect, close). A context is an engine that holds no connections:
 * it does not heartbeat and does not subscribe to sends.
 *
 * <p>The parts: {@link TargetRouter} (targets to channels, and to local recipients),
 * {@link InboxDispatcher} (everything received), {@link GroupCommands} and {@link LocalInvocations}
 * (the owner's side of commands), {@link RemoteRequests} (the caller's side),
 * {@link PresenceAnnouncer} and {@link PresenceWatch} (presence, own and others').
 */
final class HubEngine implements HubNode {

    private static final Logger LOG = LoggerFactory.getLogger(HubEngine.class);

    private final Backplane backplane;
    private final HubOptions options;
    private final boolean holdsConnections;
    private final String nodeId = Ids.newNodeId();
    private final ChannelNames channels;
    private final ObjectMapper mapper;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService sinkPool;
    private final Completions completions;
    private final int maxEnvelopeBytes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final HubMonitor counters;
    private Registration backplaneEvents; // guarded by counters
    private final LocalConnections locals;
    private final ChannelRefs refs;
    private final PresenceView presence;
    private final EnvelopePublisher publisher;
    private final InboxDispatcher inbox;
    private final TargetRouter router;
    private final RemoteRequests requests;
    private final LocalInvocations invocations;
    private final PresenceAnnouncer announcer;
    private final PresenceWatch watch;
    private final GroupCommands groups;
    private final List<Subscription> fixedSubscriptions = new ArrayList<>();

    private HubEngine(Backplane backplane, HubOptions options, boolean holdsConnections) {
        this.backplane = Objects.requireNonNull(backplane, "backplane");
        this.options = Objects.requireNonNull(options, "options");
        this.holdsConnections = holdsConnections;
        this.channels = new ChannelNames(options.hub());
        this.mapper = options.objectMapper();
        this.timer = new ScheduledThreadPoolExecutor(1, new DaemonThreads("hub-" + nodeId + "-timer"));
        this.timer.setRemoveOnCancelPolicy(true);
        // A fixed number of threads drain the connections' outboxes, however many connections there are.
        this.sinkPool = Executors.newFixedThreadPool(options.sinkThreads(), new DaemonThreads("hub-" + nodeId + "-sink"));
        this.completions = new Completions(options.resources().callbackExecutor());
        this.maxEnvelopeBytes = backplane.capabilities().maxPayloadBytes();
        this.locals = new LocalConnections(sinkPool, options);
        this.presence = new PresenceView(System::nanoTime, options.heartbeatInterval().toNanos(), nodeId,
                options.heartbeatInterval().multipliedBy(3).dividedBy(2).toNanos());
        this.counters = new HubMonitor(options.resources().callbackExecutor(), locals::size,
                () -> presence.nodes().size());
        this.publisher = new EnvelopePublisher(backplane, nodeId, channels, closed);
        this.inbox = new InboxDispatcher(nodeId, options, channels, publisher, counters, closed);
        this.refs = new ChannelRefs(backplane, inbox::subscriberFor);
        this.router = new TargetRouter(channels, locals, counters, this::endSlowConnection);
        this.requests = new RemoteRequests(options, channels, presence, publisher, timer, completions);
        this.invocations = new LocalInvocations(nodeId, this, locals, router, publisher, timer, options);
        this.announcer = holdsConnections
                ? new PresenceAnnouncer(nodeId, options, channels, locals, publisher, timer, maxEnvelopeBytes) : null;
        this.groups = new GroupCommands(nodeId, holdsConnections, channels, locals, refs, publisher,
                this::presenceChanged);
        this.watch = new PresenceWatch(nodeId, options, presence, publisher, requests, counters);
        inbox.handlers(new InboxDispatcher.Handlers(router, groups, invocations, requests, watch, announcer));
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
            fixedSubscriptions.add(await(backplane.subscribe(channel, inbox.subscriberFor(channel)),
                    "subscribe to " + channel));
        }
        if (announcer != null) {
            announcer.start();
        }
        // Learn the hub at once rather than at the next heartbeats.
        publisher.requestSnapshot(null);
        long sweep = options.sweepInterval().toNanos();
        timer.scheduleAtFixedRate(Periodic.guarded("presence sweep of " + nodeId, watch::sweep), sweep, sweep,
                TimeUnit.NANOSECONDS);
        if (announcer == null) {
            // A context has no heartbeat of its own to hear: it echoes to its inbox, to know it hears the broker.
            long interval = options.heartbeatInterval().toNanos();
            timer.scheduleAtFixedRate(Periodic.guarded("echo of " + nodeId, () -> publisher.publishControl(
                    channels.node(nodeId), Envelope.Kind.ECHO, null, "", "", Envelope.EMPTY)), 0, interval,
                    TimeUnit.NANOSECONDS);
        }
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

    /**
     * {@inheritDoc} When the broker does not take the envelope on one of the channels, the future
     * fails with that error; copies already taken on other channels are delivered.
     */
    @Override
    public CompletableFuture<Void> sendJson(Target target, String method, byte[] argumentsJson) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(argumentsJson, "argumentsJson");
        ensureOpen();
        Set<String> targetChannels;
        try {
            targetChannels = router.channelsFor(target);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        // Encoded once; the same bytes go to every channel, and receivers de-duplicate by message id.
        byte[] envelope = EnvelopeCodec.encode(new Envelope(Envelope.Kind.SEND, nodeId, publisher.nextSeq(), target, "",
                method, argumentsJson));
        requireFits(envelope.length, "the send of " + method);
        counters.sent(target.kind());
        return CompletableFuture.allOf(targetChannels.stream().map(c -> publisher.publish(c, envelope))
                .toArray(CompletableFuture[]::new));
    }

    /** A message over the backplane's limit fails at the call, not later at the broker. */
    private void requireFits(int envelopeBytes, String what) {
        if (envelopeBytes > maxEnvelopeBytes) {
            throw new IllegalArgumentException(what + " is " + envelopeBytes + " bytes as a hub message, over the "
                    + "largest payload the backplane takes (" + maxEnvelopeBytes + " bytes, transport "
                    + backplane.capabilities().transport() + "); send less per message, or raise the transport's "
                    + "maxPayload where it has one");
        }
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
        boolean add = kind == Envelope.Kind.GROUP_ADD;
        if (holdsConnections && Ids.isConnectionId(connectionId) && Ids.ownerOf(connectionId).equals(nodeId)) {
            // This node's own connection: applied here, with no round trip through the broker.
            CompletableFuture<Void> result = new CompletableFuture<>();
            completions.relay(groups.apply(add, connectionId, group), result);
            return result;
        }
        String what = (add ? "adding " : "removing ") + "connection " + connectionId + (add ? " to" : " from")
                + " group '" + group + "'";
        return requests.request(kind, connectionId, group, Envelope.EMPTY, options.commandTimeout(), what)
                .thenApply(r -> null);
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
        // The arguments, plus room for the envelope's own fields (kind, ids, method).
        requireFits(json.length + 2 * (method.length() + connectionId.length()) + 128, "the invocation of " + method);
        CompletableFuture<byte[]> result = requests.request(Envelope.Kind.INVOKE, connectionId, method, json, timeout,
                "invoking " + method + " on connection " + connectionId);
        if (counters.timesInvocations()) {
            long started = System.nanoTime();
            result.whenComplete((r, e) -> counters.invocationTook(System.nanoTime() - started));
        }
        return result;
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

    @Override
    public HubPresence presence() {
        return presence;
    }

    @Override
    public HubStats stats() {
        return counters.snapshot();
    }

    @Override
    public HubMetrics metrics() {
        return counters;
    }

    @Override
    public Health health() {
        boolean hears = presence.hearsTheBroker();
        java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("hub", options.hub());
        details.put("nodeId", nodeId);
        details.put("kind", holdsConnections ? "node" : "context");
        details.put("localConnections", locals.size());
        details.put("liveNodes", presence.nodes().size());
        details.put("hearsItself", hears);
        Health.Status own = closed.get() || !hears ? Health.Status.DOWN : Health.Status.UP;
        if (closed.get()) {
            details.put("state", "closed");
        }
        return Health.composite(own, details, java.util.Map.of("backplane", backplane.health()));
    }

    @Override
    public Registration addListener(HubListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (counters) {
            if (backplaneEvents == null && !closed.get()) {
                // Heard only while someone listens here: the backplane builds no event for nobody.
                backplaneEvents = backplane.addListener(e -> counters.raise(() -> new HubEvent.Backplane(options.hub(),
                        nodeId, e)));
            }
        }
        return counters.events.add(listener::onEvent);
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
                Throwable cause = Failures.rootCause(e);
                throw new HubException("connecting " + connection.id() + " failed: could not subscribe to its user "
                        + "channel: " + cause.getMessage(), cause);
            }
            return connection;
        });
    }

    /**
     * {@inheritDoc} Messages still waiting for the connection's sink are discarded: the client is
     * gone.
     */
    @Override
    public boolean disconnect(String connectionId) {
        requireNode("disconnect");
        LocalConnections.Local local = remove(connectionId, "disconnected");
        if (local == null) {
            return false;
        }
        local.outbox().close(null);
        return true;
    }

    /** Removes a connection with its memberships and channel references; null if it was not here. */
    private LocalConnections.Local remove(String connectionId, String why) {
        LocalConnections.Local local;
        synchronized (locals) {
            local = locals.remove(connectionId);
            if (local == null) {
                return null;
            }
            local.groups().forEach(g -> refs.release(channels.group(g)));
            if (local.connection().userId() != null) {
                refs.release(channels.user(local.connection().userId()));
            }
        }
        invocations.connectionGone(connectionId, why);
        presenceChanged();
        return local;
    }

    /**
     * A sink stayed more than {@link HubOptions#connectionBuffer()} calls behind past the grace, or
     * reached the hard limit: the connection is
     * ended, what waits for it discarded, and its sink told why, as its last call.
     */
    private void endSlowConnection(LocalConnections.Local slow) {
        String reason = "the client fell more than " + options.connectionBuffer() + " messages behind"
                + (options.slowClientGrace().isZero() ? "" : " for longer than slowClientGrace="
                        + options.slowClientGrace() + ", or " + options.connectionHardLimit() + " behind");
        if (remove(slow.id(), "was disconnected (" + reason + ")") == null) {
            return; // already ended by another delivery thread, or by the endpoint
        }
        counters.slowConnections.increment();
        int discarded = slow.outbox().close(() -> slow.sink().disconnected(reason));
        counters.raise(() -> new HubEvent.SlowClientDisconnected(options.hub(), nodeId, java.time.Instant.now(), slow.id(),
                reason, discarded));
        LOG.warn("hub '{}' node {} disconnected {}: {}; {} waiting message(s) discarded", options.hub(), nodeId,
                slow.id(), reason, discarded);
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
        return invocations.complete(connectionId, invocationId, resultJson);
    }

    @Override
    public boolean failInvocation(String connectionId, String invocationId, String error) {
        return invocations.fail(connectionId, invocationId, error);
    }

    // ------------------------------------------------------------------ plumbing

    private void presenceChanged() {
        if (announcer != null && !closed.get()) {
            announcer.changed();
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
            Throwable cause = Failures.rootCause(e);
            throw new HubException("starting hub '" + options.hub() + "': " + what + " failed: " + cause.getMessage(),
                    cause);
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

    /** Threads of this node, for tests: both pools are shut down by {@link #close}. */
    boolean threadsShutDown() {
        return timer.isShutdown() && sinkPool.isShutdown();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (announcer != null) {
            try {
                announcer.goodbye().get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("goodbye of node {} not sent: {}", nodeId, e.toString());
            }
        }
        timer.shutdownNow();
        synchronized (counters) {
            if (backplaneEvents != null) {
                backplaneEvents.close();
            }
        }
        fixedSubscriptions.forEach(ChannelRefs::closeQuietly);
        refs.closeAll();
        requests.failAll(() -> new HubException("hub '" + options.hub() + "' node " + nodeId + " was closed"));
        // Each sink hears that its connection ended, after the call it may be in.
        String reason = "hub node " + nodeId + " was closed";
        for (LocalConnections.Local local : locals.all()) {
            local.outbox().close(() -> local.sink().disconnected(reason));
        }
        sinkPool.shutdown();
    }

    @Override
    public String toString() {
        return (holdsConnections ? "HubNode[" : "HubContext[") + options.hub() + " " + nodeId + "]";
    }
}
