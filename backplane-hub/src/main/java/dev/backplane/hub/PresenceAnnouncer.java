package dev.backplane.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A node's own presence: the snapshot at start, coalesced deltas on change, heartbeats, periodic
 * and requested snapshots, and the goodbye. Everything is built under the {@code locals} lock,
 * which orders presence numbers with publish calls and keeps a snapshot consistent with its number.
 */
final class PresenceAnnouncer {

    private final String nodeId;
    private final HubOptions options;
    private final ChannelNames channels;
    private final LocalConnections locals;
    private final EnvelopePublisher publisher;
    private final ObjectMapper mapper;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private long presenceSeq; // guarded by locals
    private long heartbeats; // guarded by locals

    PresenceAnnouncer(String nodeId, HubOptions options, ChannelNames channels, LocalConnections locals,
            EnvelopePublisher publisher, ScheduledExecutorService timer) {
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
        timer.scheduleAtFixedRate(this::heartbeat, period, period, TimeUnit.NANOSECONDS);
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
        List<PresenceBody.Event> events = broadcast ? locals.drainChanges() : List.of();
        PresenceBody body = new PresenceBody(options.heartbeatInterval().toMillis(), options.missedHeartbeats(),
                snapshot ? List.of() : events, snapshot ? locals.snapshot() : null);
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("presence could not be serialized", e);
        }
        publisher.publish(channel, EnvelopeCodec.encode(Envelope.control(Envelope.Kind.PRESENCE, nodeId, presenceSeq,
                null, "", "", json)));
    }
}
