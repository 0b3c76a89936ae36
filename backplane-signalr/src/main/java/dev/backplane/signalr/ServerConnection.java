package dev.backplane.signalr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.backplane.hub.ConnectionSink;
import dev.backplane.hub.HubInvocation;
import dev.backplane.hub.HubMessage;
import dev.backplane.signalr.protocol.Handshake;
import dev.backplane.signalr.protocol.HubProtocol;
import dev.backplane.signalr.protocol.ProtocolException;
import dev.backplane.signalr.protocol.SignalRMessage;
import dev.backplane.signalr.protocol.TransferFormat;
import dev.backplane.spi.SerialExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One SignalR connection, whatever its transport: the handshake, reading and writing the hub
 * protocol, keep-alive and timeouts, stateful reconnect, and the {@link ConnectionSink} through
 * which the hub layer delivers to it. Its lock orders every frame it writes, so sequence ids and
 * the replay buffer match what the client receives.
 */
final class ServerConnection implements ConnectionSink, HubCallerContext {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServerConnection.class);

    private final SignalREndpoint endpoint;
    private final SignalROptions options;
    private volatile String key;
    private final UserIdentity identity;
    private final Map<String, String> query;
    private final boolean statefulReconnect;
    private final ConcurrentMap<String, Object> items = new ConcurrentHashMap<>();
    private final long openedAt = System.nanoTime();
    final SerialExecutor lane;
    final Map<String, HubInvocation> clientResults = new ConcurrentHashMap<>();
    final Map<String, Runnable> streams = new ConcurrentHashMap<>();
    final Map<String, UploadStream<Object>> uploads = new ConcurrentHashMap<>();

    private volatile String id;
    private volatile TransportType transport;
    // Why it ended, as ASP.NET Core's signalr.connection.status names it; normal unless a timeout or shutdown says otherwise.
    private volatile String closeStatus = "normal_closure";
    private Outbound outbound;
    private HubProtocol protocol;
    private boolean handshaken;
    private boolean closed;
    private ByteArrayOutputStream handshakeBytes;
    private final List<HubMessage> beforeHandshake = new ArrayList<>();
    private final ReplayBuffer replay;
    private int pendingWrites;
    private boolean losing;
    private long lastSent = System.nanoTime();
    private long lastReceived = System.nanoTime();
    private long detachedAt;
    // Stateful reconnect, receiving side: sequenced messages taken, and the id the next one has.
    private long received;
    private long nextIncoming = 1;
    private long ackSent;

    ServerConnection(SignalREndpoint endpoint, UserIdentity identity, Map<String, String> query,
            boolean statefulReconnect) {
        this.endpoint = endpoint;
        this.options = endpoint.options();
        this.identity = identity;
        this.query = Map.copyOf(query);
        this.statefulReconnect = statefulReconnect;
        this.replay = statefulReconnect ? new ReplayBuffer(options.statefulReconnectBufferSize()) : null;
        this.lane = new SerialExecutor(endpoint.invocationPool());
    }

    /** The hub layer gave the connection its id; {@code key} is what the client will send as {@code ?id=}. */
    void registered(String connectionId, String key) {
        this.id = connectionId;
        this.key = key;
    }

    /** The id the client sends as {@code ?id=}: the connection token (negotiate v1) or the id (v0). */
    String key() {
        return key;
    }

    boolean statefulReconnect() {
        return statefulReconnect;
    }

    // ------------------------------------------------------------------ HubCallerContext

    @Override
    public String connectionId() {
        return id;
    }

    @Override
    public String userId() {
        return identity == null ? null : identity.userId();
    }

    @Override
    public UserIdentity identity() {
        return identity;
    }

    @Override
    public ConcurrentMap<String, Object> items() {
        return items;
    }

    @Override
    public Map<String, String> query() {
        return query;
    }

    @Override
    public void abort() {
        close(null, null);
    }

    // ------------------------------------------------------------------ transports

    /**
     * Attaches a transport. Null when it may: otherwise why not (the connection uses another
     * transport, already has one and cannot resume, or is closed).
     */
    synchronized String attach(TransportType type, Outbound out) {
        String refusal = attachRefusal(type);
        if (refusal != null) {
            return refusal;
        }
        if (outbound != null) {
            outbound.abort(); // the client came back before we noticed it left
        }
        boolean resuming = handshaken && statefulReconnect;
        transport = type;
        outbound = out;
        losing = false;
        pendingWrites = 0;
        lastReceived = System.nanoTime();
        if (resuming) {
            write(protocol.write(new SignalRMessage.Sequence(replay.firstId())), false);
            for (byte[] frame : replay.unacknowledged()) {
                write(frame, false);
            }
            LOG.atDebug().log(() -> id + " resumed, resending from " + replay.firstId());
        }
        return null;
    }

    /** The transport ended without a Close message. With stateful reconnect, the client may come back. */
    void transportClosed(Outbound which, Throwable error) {
        boolean dispose;
        synchronized (this) {
            if (outbound != which || closed) {
                return;
            }
            outbound = null;
            dispose = !(statefulReconnect && handshaken);
            if (!dispose) {
                detachedAt = System.nanoTime();
                // The client resumes with a Sequence message; until then nothing it sends is counted.
            }
        }
        if (dispose) {
            endpoint.dispose(this, error);
        }
    }

    synchronized boolean hasTransport() {
        return outbound != null;
    }

    TransportType transport() {
        return transport;
    }

    /** How it ended, for {@code signalr.connection.status}: normal_closure, timeout or app_shutdown. */
    String closeStatus() {
        return closeStatus;
    }

    /** The server is shutting down: the connection ends for that reason. */
    void shuttingDown() {
        closeStatus = "app_shutdown";
    }

    /** When the connection was opened (negotiated), on {@link System#nanoTime()}. */
    long openedAt() {
        return openedAt;
    }

    synchronized Outbound outbound() {
        return outbound;
    }

    /** Why a transport of {@code type} could not attach now, or null if it could. */
    synchronized String attachRefusal(TransportType type) {
        if (closed) {
            return "the connection is closed";
        }
        if (transport != null && transport != type) {
            return "the connection uses " + transport.wireName() + ", not " + type.wireName();
        }
        if (outbound != null && !(statefulReconnect && handshaken)) {
            return "another " + type.wireName() + " transport is active for this connection";
        }
        if (outbound != null || (handshaken && statefulReconnect)) {
            return replay.resumable() ? null
                    : "messages this connection has not acknowledged were dropped from its replay buffer";
        }
        return null;
    }

    // ------------------------------------------------------------------ receiving

    /** Bytes from the client: a WebSocket message, or the body of a POST. */
    void received(byte[] data) {
        List<SignalRMessage> messages;
        synchronized (this) {
            if (closed) {
                return;
            }
            lastReceived = System.nanoTime();
            if (data.length > options.maxMessageSize()) {
                failLocked("a message of " + data.length + " bytes is over the maximum message size of "
                        + options.maxMessageSize() + " bytes");
                return;
            }
            if (!handshaken) {
                data = handshake(data);
                if (data == null || data.length == 0) {
                    return;
                }
            }
            try {
                messages = protocol.read(data);
            } catch (ProtocolException e) {
                failLocked("InvalidDataException: " + e.getMessage());
                return;
            }
        }
        for (SignalRMessage m : messages) {
            if (!take(m)) {
                continue;
            }
            endpoint.dispatcher().handle(this, m);
        }
    }

    /** Stateful reconnect bookkeeping for one received message; false for a duplicate or a protocol message. */
    private boolean take(SignalRMessage m) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (m instanceof SignalRMessage.Ack ack) {
                if (replay != null) {
                    replay.ack(ack.sequenceId());
                }
                return false;
            }
            if (m instanceof SignalRMessage.Sequence seq) {
                if (replay == null) {
                    return false;
                }
                if (seq.sequenceId() > received + 1) {
                    failLocked("Sequence " + seq.sequenceId() + " is past the " + received
                            + " messages received: messages were lost");
                    return false;
                }
                nextIncoming = seq.sequenceId();
                return false;
            }
            if (m instanceof SignalRMessage.Ping) {
                return false;
            }
            if (replay != null && m.sequenced()) {
                long seqId = nextIncoming++;
                if (seqId <= received) {
                    return false; // sent again after a reconnect: already handled
                }
                received = seqId;
            }
            return true;
        }
    }

    /** Reads the handshake; returns what followed it, or null while it is incomplete or after it failed. */
    private byte[] handshake(byte[] data) {
        if (handshakeBytes == null) {
            handshakeBytes = new ByteArrayOutputStream();
        }
        handshakeBytes.writeBytes(data);
        if (handshakeBytes.size() > options.maxMessageSize()) {
            failHandshake("the handshake request is over the maximum message size of " + options.maxMessageSize());
            return null;
        }
        Handshake.Request request;
        try {
            request = Handshake.read(endpoint.mapper(), handshakeBytes.toByteArray());
        } catch (ProtocolException e) {
            failHandshake(e.getMessage());
            return null;
        }
        if (request == null) {
            return null;
        }
        handshakeBytes = null;
        HubProtocol chosen = endpoint.protocol(request.protocol());
        if (chosen == null) {
            failHandshake("The protocol '" + request.protocol() + "' is not supported.");
            return null;
        }
        if (request.version() < 1 || request.version() > 2) {
            failHandshake("The server does not support version " + request.version() + " of the '"
                    + request.protocol() + "' protocol.");
            return null;
        }
        if (!transport.transferFormats().contains(chosen.transferFormat())) {
            failHandshake("Cannot use the '" + chosen.name() + "' protocol on the current transport. The transport "
                    + "does not support '" + chosen.transferFormat().wireName() + "' transfer format.");
            return null;
        }
        protocol = chosen;
        handshaken = true;
        write(Handshake.SUCCESS, false);
        for (HubMessage m : beforeHandshake) {
            write(encode(m), true);
        }
        beforeHandshake.clear();
        endpoint.dispatcher().connected(this);
        return request.remainder();
    }

    private void failHandshake(String error) {
        LOG.atDebug().log(() -> id + " handshake refused: " + error);
        if (outbound != null) {
            outbound.write(Handshake.error(endpoint.mapper(), error), false, e -> { });
        }
        closeLocked(null);
        endpoint.disposeLater(this, new ProtocolException(error));
    }

    // ------------------------------------------------------------------ sending

    /** Sends a protocol message (a completion, a stream item, a client-result invocation...). */
    void send(SignalRMessage message) {
        synchronized (this) {
            if (closed || !handshaken) {
                return;
            }
            write(protocol.write(message), message.sequenced());
        }
    }

    @Override
    public void send(HubMessage message) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!handshaken) {
                if (beforeHandshake.size() >= options.maxPendingWrites()) {
                    failLocked("more than " + options.maxPendingWrites() + " messages arrived before the handshake");
                    return;
                }
                beforeHandshake.add(message);
                return;
            }
            write(encode(message), true);
        }
    }

    /** The frame of a hub send in this connection's protocol: made once per protocol per send, shared. */
    private byte[] encode(HubMessage m) {
        HubProtocol p = protocol;
        return m.encoded(p.name(), msg -> p.writeSend(msg.method(), msg.argumentsJson()));
    }

    @Override
    public void invoke(HubInvocation invocation) {
        ArrayNode args;
        try {
            JsonNode parsed = endpoint.mapper().readTree(invocation.argumentsJson());
            args = (ArrayNode) parsed;
        } catch (IOException | ClassCastException e) {
            invocation.fail("the arguments are not a JSON array: " + e.getMessage());
            return;
        }
        synchronized (this) {
            if (closed || !handshaken) {
                invocation.fail("connection " + id + " is " + (closed ? "closed" : "not connected yet"));
                return;
            }
            clientResults.put(invocation.invocationId(), invocation);
            write(protocol.write(new SignalRMessage.Invocation(invocation.invocationId(), invocation.method(), args,
                    List.of())), true);
        }
    }

    @Override
    public void disconnected(String reason) {
        close(reason, null);
    }

    /** Writes a frame under the lock; sequenced frames are kept for a resume. */
    private void write(byte[] frame, boolean sequenced) {
        if (sequenced && replay != null) {
            replay.add(frame);
            if (outbound == null && !replay.resumable()) {
                failLocked("the client was away while more than " + options.statefulReconnectBufferSize()
                        + " bytes were sent to it");
                return;
            }
        }
        lastSent = System.nanoTime();
        if (outbound == null || losing) {
            return; // kept in the replay buffer for the client's return (or lost on purpose, see loseWrites)
        }
        if (pendingWrites >= options.maxPendingWrites()) {
            Outbound slow = outbound;
            outbound = null;
            closed = true;
            slow.abort();
            endpoint.disposeLater(this, new IllegalStateException("the client did not read " + pendingWrites
                    + " frames written to it (slow client)"));
            return;
        }
        pendingWrites++;
        Outbound target = outbound;
        boolean binary = protocol != null && protocol.transferFormat() == TransferFormat.BINARY;
        target.write(frame, binary, error -> writeDone(target, error));
    }

    private synchronized void writeDone(Outbound target, Throwable error) {
        if (outbound == target && pendingWrites > 0) {
            pendingWrites--;
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Closes the connection: a Close message (with {@code error} when not null), then the transport,
     * then the connection leaves the hub. {@code cause} is what onDisconnected is told.
     */
    void close(String error, Throwable cause) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closeLocked(error);
        }
        endpoint.dispose(this, cause != null ? cause : error == null ? null : new IllegalStateException(error));
    }

    /** Closes with a protocol error, telling the client "Connection closed with an error." and why. */
    private void failLocked(String why) {
        String error = "Connection closed with an error. " + why;
        closeLocked(error);
        endpoint.disposeLater(this, new ProtocolException(why));
    }

    private void closeLocked(String error) {
        if (closed) {
            return;
        }
        if (handshaken && outbound != null) {
            write(protocol.write(new SignalRMessage.Close(error, false)), false);
        }
        closed = true;
        if (outbound != null) {
            outbound.close(error == null ? "" : error);
            outbound = null;
        }
    }

    synchronized boolean closed() {
        return closed;
    }

    /** The client closed the connection (a Close message, or DELETE for long polling). */
    void clientClosed() {
        close(null, null);
    }

    // ------------------------------------------------------------------ timers

    /** Called about once a second: pings, acknowledgements, and the timeouts. */
    void sweep(long now) {
        String timeout = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!handshaken && now - openedAt > options.handshakeTimeout().toNanos()) {
                timeout = "no handshake within " + options.handshakeTimeout();
            } else if (outbound == null && handshaken && statefulReconnect
                    && now - detachedAt > options.reconnectWindow().toNanos()) {
                timeout = "the client did not come back within " + options.reconnectWindow();
            } else if (outbound != null && now - clientActivity(now) > options.clientTimeout().toNanos()) {
                timeout = "nothing heard from the client for " + options.clientTimeout();
            } else if (handshaken && outbound != null) {
                if (replay != null && received > ackSent) {
                    ackSent = received;
                    write(protocol.write(new SignalRMessage.Ack(received)), false);
                }
                if (now - lastSent >= options.keepAliveInterval().toNanos()) {
                    write(protocol.write(new SignalRMessage.Ping()), false);
                }
            }
            if (timeout != null) {
                closeStatus = "timeout";
                closeLocked(handshaken ? "Connection closed with an error. " + timeout : null);
            }
        }
        if (timeout != null) {
            endpoint.dispose(this, new IllegalStateException(timeout));
        }
    }

    private long clientActivity(long now) {
        if (outbound instanceof PollQueue poll) {
            return Math.max(lastReceived, poll.idleSince(now));
        }
        return lastReceived;
    }

    /** Fault drills: from now on frames written to the transport are lost, as on a failing network. */
    synchronized void loseWrites() {
        losing = true;
    }

    /** Fault drills: the transport fails as a network would, without a close. */
    void dropTransport() {
        Outbound out;
        synchronized (this) {
            out = outbound;
            losing = false;
        }
        if (out != null) {
            out.abort();
        }
    }

    @Override
    public String toString() {
        return "connection " + id + (identity == null ? "" : " of " + identity.userId());
    }
}
