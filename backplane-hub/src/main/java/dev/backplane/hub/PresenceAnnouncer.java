package dev.backplane.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's own presence: the snapshot at start, coalesced deltas on change, heartbeats, periodic
 * and requested snapshots, and the goodbye. Everything is built under the {@code locals} lock,
 * which orders presence numbers with publish calls and keeps a snapshot consistent with its number.
 *
 * <p>Every presence message fits the backplane's payload limit: a snapshot too large for one
 * message is split into parts that share its number (observers apply it once all have come), and
 * a delta too large for one message is sent as a snapshot instead.
 */
final class PresenceAnnouncer {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceAnnouncer.class);

    private final String nodeId;
    private final HubOptions options;
    private final ChannelNames channels;
    private final LocalConnections locals;
    private final EnvelopePublisher publisher;
    private final ObjectMapper mapper;
    private final ScheduledExecutorService timer;
    private final int maxEnvelopeBytes;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private long presenceSeq; // guarded by locals
    private long heartbeats; // guarded by locals

    /** @param maxEnvelopeBytes the largest envelope the backplane takes */
    PresenceAnnouncer(String nodeId, HubOptions options, ChannelNames channels, LocalConnections locals,
            EnvelopePublisher publisher, ScheduledExecutorService timer, int maxEnvelopeBytes) {
        this.maxEnvelopeBytes = maxEnvelopeBytes;
        this.nodeId = nodeId;
        this.options = options;
        this.channels = channels;
        this.locals = locals;
        this.publisher = publisher;
        this.mapper = options.objectMapper();
        this.timer = timer;
    }

    /** Announces the node with a snapshot and starts the heartbeat. */
    void start() {
        synchronized (locals) {
            publish(channels.presence(), true);
        }
        long period = options.heartbeatInterval().toNanos();
        timer.scheduleAtFixedRate(Periodic.guarded("heartbeat of node " + nodeId, this::heartbeat), period, period,
                TimeUnit.NANOSECONDS);
    }

    /** Local connections or memberships changed: publish the changes soon, coalesced. */
    void changed() {
        if (!flushScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            timer.execute(() -> {
                flushScheduled.set(false);
                synchronized (locals) {
                    if (locals.hasChanges()) {
                        publish(channels.presence(), false);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            flushScheduled.set(false); // closing: the goodbye says it all
        }
    }

    /** Sends a snapshot to one observer that asked for it. */
    void answerSnapshotRequest(String requester) {
        synchronized (locals) {
            publish(channels.node(requester), true);
        }
    }

    CompletableFuture<?> goodbye() {
        return publisher.publishControl(channels.presence(), Envelope.Kind.GOODBYE, null, "", "", Envelope.EMPTY);
    }

    private void heartbeat() {
        synchronized (locals) {
            heartbeats++;
            publish(channels.presence(), heartbeats % options.snapshotEvery() == 0);
        }
    }

    /**
     * Publishes this node's presence; called under the {@code locals} lock. A snapshot addressed to
     * one node first flushes pending changes to everyone, then reuses that number. A message the
     * broker does not take is logged by the publisher; observers notice the missing number with the
     * next one and ask for a snapshot.
     */
    private void publish(String channel, boolean snapshot) {
        boolean broadcast = channel.equals(channels.presence());
        if (!broadcast && locals.hasChanges()) {
            publish(channels.presence(), false);
        }
        if (broadcast) {
            presenceSeq++;
        }
        if (!snapshot) {
            List<PresenceBody.Event> events = broadcast ? locals.drainChanges() : List.of();
            byte[] envelope = encode(new PresenceBody(options.heartbeatInterval().toMillis(), options.missedHeartbeats(),
                    events, null));
            if (envelope.length <= maxEnvelopeBytes) {
                publisher.publish(channel, envelope);
                return;
            }
            // Too many changes for one message: the whole state says the same in parts that fit.
        }
        List<PresenceBody.ConnectionState> state = locals.snapshot();
        if (snapshot && broadcast) {
            locals.drainChanges(); // the snapshot includes them
        }
        List<List<PresenceBody.ConnectionState>> slices = new ArrayList<>();
        split(state, slices);
        for (int i = 0; i < slices.size(); i++) {
            PresenceBody body = slices.size() == 1
                    ? new PresenceBody(options.heartbeatInterval().toMillis(), options.missedHeartbeats(), List.of(),
                            slices.get(0))
                    : new PresenceBody(options.heartbeatInterval().toMillis(), options.missedHeartbeats(), List.of(),
                            slices.get(i), i, slices.size());
            publisher.publish(channel, encode(body));
        }
    }

    /** Cuts {@code state} into slices whose presence messages fit; a single oversized connection is left out, and logged. */
    private void split(List<PresenceBody.ConnectionState> state, List<List<PresenceBody.ConnectionState>> into) {
        // Sized with the largest part numbers, so that numbering the parts cannot push one over.
        byte[] probe = encode(new PresenceBody(options.heartbeatInterval().toMillis(), options.missedHeartbeats(),
                List.of(), state, Integer.MAX_VALUE, Integer.MAX_VALUE));
        if (probe.length <= maxEnvelopeBytes) {
            into.add(state);
            return;
        }
        if (state.size() == 1) {
            LOG.warn("hub node " + nodeId + " leaves connection " + state.get(0).id()
                    + " out of its presence: its state alone (" + probe.length + " bytes) exceeds the backplane's "
                    + "payload limit of " + maxEnvelopeBytes + " bytes");
            return;
        }
        int half = state.size() / 2;
        split(state.subList(0, half), into);
        split(state.subList(half, state.size()), into);
    }

    private byte[] encode(PresenceBody body) {
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("presence could not be serialized", e);
        }
        return EnvelopeCodec.encode(Envelope.control(Envelope.Kind.PRESENCE, nodeId, presenceSeq, null, "", "", json));
    }
}
