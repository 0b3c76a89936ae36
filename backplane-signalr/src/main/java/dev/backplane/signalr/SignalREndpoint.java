package dev.backplane.signalr;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backplane.hub.HubNode;
import dev.backplane.signalr.host.HostRequest;
import dev.backplane.signalr.host.HttpReply;
import dev.backplane.signalr.host.PollReply;
import dev.backplane.signalr.host.SocketHandler;
import dev.backplane.signalr.host.SocketWriter;
import dev.backplane.signalr.host.Upgrade;
import dev.backplane.signalr.protocol.HubProtocol;
import dev.backplane.signalr.protocol.JsonHubProtocol;
import dev.backplane.signalr.protocol.MessagePackHubProtocol;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * One hub at one path, as a host sees it: negotiate, the WebSocket upgrade, Server-Sent Events,
 * long polls, posts and deletes, each a call with a {@link HostRequest} and an answer the host
 * writes. It knows no HTTP server: a host (Jetty, or another) maps its requests onto these calls.
 * Every connection is a connection of one {@link HubNode}, so sends cross nodes through the
 * backplane. Thread-safe; calls may come on any host thread and never block on the network.
 */
public final class SignalREndpoint implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SignalREndpoint.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String path;
    private final HubNode node;
    private final SignalROptions options;
    private final ObjectMapper mapper;
    private final HubMethods methods;
    private final HubDispatcher dispatcher;
    private final ExecutorService pool;
    private final ScheduledExecutorService timer;
    private final Map<String, HubProtocol> protocols;
    private final Map<String, ServerConnection> byKey = new ConcurrentHashMap<>();
    private final Map<String, ServerConnection> byId = new ConcurrentHashMap<>();
    private final SendingContext context;
    private final ServerMonitor monitor;

    SignalREndpoint(String path, HubNode node, Class<? extends Hub> hubClass, Supplier<? extends Hub> factory,
            SignalROptions options, ObjectMapper mapper, ExecutorService pool, ScheduledExecutorService timer,
            ServerMonitor monitor) {
        this.path = path;
        this.monitor = monitor;
        this.node = node;
        this.options = options;
        this.mapper = mapper;
        this.pool = pool;
        this.timer = timer;
        this.methods = new HubMethods(hubClass, mapper.getTypeFactory());
        this.dispatcher = new HubDispatcher(methods, factory, node, mapper, options, pool);
        this.protocols = Map.of("json", new JsonHubProtocol(mapper), "messagepack", new MessagePackHubProtocol(mapper));
        this.context = new SendingContext(node, false, options.clientResultTimeout());
    }

    /** The path the hub is served at, e.g. {@code /chat}. */
    public String path() {
        return path;
    }

    public SignalROptions options() {
        return options;
    }

    /** Sends to this hub's clients from outside a hub method. */
    public HubContext hubContext() {
        return context;
    }

    /** The hub layer's node under this endpoint. */
    public HubNode node() {
        return node;
    }

    /** The connections open on this node now. */
    public int connectionCount() {
        return byId.size();
    }

    /** The connections open on this node now whose transport is {@code type}. */
    public int connectionCount(TransportType type) {
        int n = 0;
        for (ServerConnection c : byId.values()) {
            if (c.transport() == type) {
                n++;
            }
        }
        return n;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    HubDispatcher dispatcher() {
        return dispatcher;
    }

    ExecutorService invocationPool() {
        return pool;
    }

    HubProtocol protocol(String name) {
        return protocols.get(name);
    }

    // ------------------------------------------------------------------ negotiate

    /** {@code POST {path}/negotiate}: a new connection, and how to reach it. */
    public CompletableFuture<HttpReply> negotiate(HostRequest request) {
        if (!"POST".equals(request.method())) {
            return CompletableFuture.completedFuture(HttpReply.text(405, "negotiate takes POST"));
        }
        Access access = authenticate(request);
        if (access.refusal != null) {
            return CompletableFuture.completedFuture(access.refusal);
        }
        int version = parseVersion(request.queryParameter("negotiateVersion"));
        boolean stateful = "true".equalsIgnoreCase(request.queryParameter("useStatefulReconnect"));
        return open(access.identity, request.query(), stateful, version >= 1).thenApply(c -> {
            ObjectNode body = mapper.createObjectNode();
            body.put("connectionId", c.connectionId());
            if (version >= 1) {
                body.put("connectionToken", c.key());
            }
            body.put("negotiateVersion", version >= 1 ? 1 : 0);
            ArrayNode transports = body.putArray("availableTransports");
            for (TransportType t : TransportType.values()) {
                if (options.transports().contains(t)) {
                    ObjectNode entry = transports.addObject();
                    entry.put("transport", t.wireName());
                    ArrayNode formats = entry.putArray("transferFormats");
                    t.transferFormats().forEach(f -> formats.add(f.wireName()));
                }
            }
            if (stateful) {
                body.put("useStatefulReconnect", true); // only when asked: clients refuse it unasked
            }
            return HttpReply.json(200, body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }).exceptionally(e -> {
            LOG.warn("negotiate on " + path + " failed", e);
            return HttpReply.json(200, ("{\"error\":" + quote("the server could not open a connection: "
                    + HubDispatcher.unwrap(e).getMessage()) + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
    }

    private static int parseVersion(String v) {
        if (v == null) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private CompletableFuture<ServerConnection> open(UserIdentity identity, Map<String, String> query,
            boolean stateful, boolean tokenized) {
        ServerConnection c = new ServerConnection(this, identity, query, stateful);
        return node.connect(identity == null ? null : identity.userId(), c).thenApply(hc -> {
            String key = tokenized ? newToken() : hc.id();
            c.registered(hc.id(), key);
            byKey.put(key, c);
            byId.put(hc.id(), c);
            return c;
        });
    }

    private static String newToken() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    // ------------------------------------------------------------------ transports

    /** {@code GET {path}} with a WebSocket upgrade: with {@code ?id=} from negotiate, or without (negotiation skipped). */
    public CompletableFuture<Upgrade> webSocket(HostRequest request) {
        return transport(request, TransportType.WEB_SOCKETS, true).thenApply(found -> found.refusal != null
                ? Upgrade.refuse(found.refusal)
                : Upgrade.accept(writer -> socketOpened(found.connection, TransportType.WEB_SOCKETS,
                        Outbound.webSocket(writer), writer)));
    }

    /** {@code GET {path}?id=} asking for {@code text/event-stream}. */
    public CompletableFuture<Upgrade> eventStream(HostRequest request) {
        return transport(request, TransportType.SERVER_SENT_EVENTS, false).thenApply(found -> found.refusal != null
                ? Upgrade.refuse(found.refusal)
                : Upgrade.accept(writer -> socketOpened(found.connection, TransportType.SERVER_SENT_EVENTS,
                        Outbound.eventStream(writer), writer)));
    }

    private SocketHandler socketOpened(ServerConnection c, TransportType type, Outbound out, SocketWriter writer) {
        String refusal = c.attach(type, out);
        if (refusal != null) {
            writer.close(1008, refusal);
        }
        return new SocketHandler() {
            @Override
            public void received(byte[] data, boolean binary) {
                c.received(data);
            }

            @Override
            public void closed(Throwable error) {
                c.transportClosed(out, error);
            }
        };
    }

    /** {@code GET {path}?id=} of long polling: answered when frames come, or empty at the poll timeout. */
    public void poll(HostRequest request, PollReply reply) {
        Found found = transport(request, TransportType.LONG_POLLING, false).join();
        if (found.refusal != null) {
            reply.reply(found.refusal);
            return;
        }
        ServerConnection c = found.connection;
        Outbound out = c.outbound();
        if (out == null) {
            PollQueue queue = new PollQueue(timer, options.longPollTimeout().toNanos());
            String refusal = c.attach(TransportType.LONG_POLLING, queue);
            if (refusal != null) {
                reply.reply(HttpReply.text(409, refusal));
                return;
            }
            out = queue;
        }
        if (out instanceof PollQueue queue) {
            queue.poll(reply);
        } else {
            reply.reply(HttpReply.text(400, "connection " + c.connectionId() + " does not use long polling"));
        }
    }

    /** {@code POST {path}?id=}: what a Server-Sent Events or long-polling client sends. */
    public HttpReply send(HostRequest request, byte[] body) {
        ServerConnection c = lookup(request.queryParameter("id"));
        if (c == null) {
            return unknown(request);
        }
        TransportType t = c.transport();
        if (t == TransportType.WEB_SOCKETS) {
            return HttpReply.text(405, "POST requests are not allowed for WebSocket connections");
        }
        if (t == null) {
            return HttpReply.text(400, "connection " + c.connectionId() + " has no transport yet");
        }
        Access access = authenticate(request);
        if (access.refusal != null) {
            return access.refusal;
        }
        if (!sameUser(c, access.identity)) {
            return HttpReply.text(403, "the request's user is not the connection's");
        }
        c.received(body);
        return HttpReply.empty(200);
    }

    /** {@code DELETE {path}?id=}: a long-polling client leaves. */
    public HttpReply delete(HostRequest request) {
        ServerConnection c = lookup(request.queryParameter("id"));
        if (c == null) {
            return unknown(request);
        }
        if (c.transport() != TransportType.LONG_POLLING) {
            return HttpReply.text(400, "DELETE is for long polling connections only");
        }
        c.clientClosed();
        return HttpReply.text(202, "");
    }

    private record Found(ServerConnection connection, HttpReply refusal) {
    }

    private CompletableFuture<Found> transport(HostRequest request, TransportType type, boolean mayCreate) {
        if (!options.transports().contains(type)) {
            return CompletableFuture.completedFuture(new Found(null, HttpReply.text(404, type.wireName()
                    + " is not enabled for " + path)));
        }
        Access access = authenticate(request);
        if (access.refusal != null) {
            return CompletableFuture.completedFuture(new Found(null, access.refusal));
        }
        String id = request.queryParameter("id");
        if (id == null || id.isEmpty()) {
            if (!mayCreate) {
                return CompletableFuture.completedFuture(new Found(null, HttpReply.text(400,
                        "Connection ID required")));
            }
            // Negotiation skipped: a WebSocket of its own, without stateful reconnect.
            return open(access.identity, request.query(), false, false).thenApply(c -> new Found(c, null));
        }
        ServerConnection c = lookup(id);
        if (c == null) {
            return CompletableFuture.completedFuture(new Found(null, unknown(request)));
        }
        if (!sameUser(c, access.identity)) {
            return CompletableFuture.completedFuture(new Found(null, HttpReply.text(403,
                    "the request's user is not the connection's")));
        }
        String refusal = type == TransportType.LONG_POLLING && c.outbound() instanceof PollQueue ? null
                : c.attachRefusal(type);
        if (refusal != null) {
            int status = refusal.startsWith("another") ? 409 : refusal.startsWith("the connection uses") ? 400 : 404;
            return CompletableFuture.completedFuture(new Found(null, HttpReply.text(status, refusal)));
        }
        return CompletableFuture.completedFuture(new Found(c, null));
    }

    private ServerConnection lookup(String key) {
        return key == null ? null : byKey.get(key);
    }

    private static HttpReply unknown(HostRequest request) {
        return HttpReply.text(404, "No Connection with that ID");
    }

    private static boolean sameUser(ServerConnection c, UserIdentity identity) {
        return Objects.equals(c.userId(), identity == null ? null : identity.userId());
    }

    // ------------------------------------------------------------------ authentication

    private record Access(UserIdentity identity, HttpReply refusal) {
    }

    private Access authenticate(HostRequest request) {
        UserIdentity identity;
        try {
            identity = options.authenticator().authenticate(request);
        } catch (AuthenticationException e) {
            return new Access(null, HttpReply.text(401, "Unauthorized: " + e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("the authenticator of " + path + " failed", e);
            return new Access(null, HttpReply.text(500, "the authenticator failed"));
        }
        if (methods.hubRoles() != null) {
            if (identity == null) {
                return new Access(null, HttpReply.text(401, "Unauthorized: " + path + " needs an authenticated user"));
            }
            if (!HubMethods.allowed(methods.hubRoles(), identity)) {
                return new Access(null, HttpReply.text(403, "Forbidden: " + path + " needs one of the roles "
                        + methods.hubRoles()));
            }
        }
        return new Access(identity, null);
    }

    // ------------------------------------------------------------------ lifecycle

    /** The connection ended: it leaves the hub and its hub hears onDisconnected. Idempotent. */
    void dispose(ServerConnection c, Throwable error) {
        String id = c.connectionId();
        if (id == null || byId.remove(id, c) == false) {
            return;
        }
        byKey.remove(c.key(), c);
        node.disconnect(id);
        monitor.closed(c.transport(), c.closeStatus(), System.nanoTime() - c.openedAt());
        dispatcher.disconnected(c, error);
    }

    /** As {@link #dispose}, from a thread that holds the connection's lock. */
    void disposeLater(ServerConnection c, Throwable error) {
        try {
            pool.execute(() -> dispose(c, error));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            dispose(c, error);
        }
    }

    /** Called by the server's timer about once a second. */
    void sweep() {
        long now = System.nanoTime();
        for (ServerConnection c : byId.values()) {
            try {
                c.sweep(now);
            } catch (RuntimeException e) {
                LOG.warn("sweeping " + c + " failed", e);
            }
        }
    }

    /**
     * Drops a connection's transport as a network failure would (no close handshake): for tests and
     * fault drills of stateful reconnect. False if no such connection is open here.
     */
    public boolean dropTransport(String connectionId) {
        ServerConnection c = byId.get(connectionId);
        if (c == null) {
            return false;
        }
        c.dropTransport();
        return true;
    }

    /**
     * Fault drills of stateful reconnect: from now on, frames sent to the connection are lost on the
     * way, as on a failing network, until {@link #dropTransport} ends its transport. False if no
     * such connection is open here.
     */
    public boolean loseWrites(String connectionId) {
        ServerConnection c = byId.get(connectionId);
        if (c == null) {
            return false;
        }
        c.loseWrites();
        return true;
    }

    /** The connections open here, by id. */
    public Collection<String> connectionIds() {
        return List.copyOf(byId.keySet());
    }

    /** Closes every connection (clients are told the server is shutting down), then leaves the hub. */
    @Override
    public void close() {
        for (ServerConnection c : byId.values()) {
            c.shuttingDown();
            c.close("Server is shutting down.", null);
        }
        node.close();
    }

    private String quote(String s) {
        try {
            return mapper.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "\"error\"";
        }
    }
}
