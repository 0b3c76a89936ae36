package dev.backplane.hub;

import dev.backplane.Backplane;
import dev.backplane.Position;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers, encodes and publishes this process's envelopes. A publish never throws: a backplane
 * that refuses (closed, broker down) gives a failed future, and failures are logged once per
 * stretch, so a long outage does not flood the log.
 */
final class EnvelopePublisher {

    private static final Logger LOG = LoggerFactory.getLogger(EnvelopePublisher.class);

    private final Backplane backplane;
    private final String nodeId;
    private final ChannelNames channels;
    private final AtomicBoolean closed;
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean failureLogged;

    EnvelopePublisher(Backplane backplane, String nodeId, ChannelNames channels, AtomicBoolean closed) {
        this.backplane = backplane;
        this.nodeId = nodeId;
        this.channels = channels;
        this.closed = closed;
    }

    /** The next message sequence number of this process; with the node id it makes the message id. */
    long nextSeq() {
        return sequence.incrementAndGet();
    }

    CompletableFuture<Position> publish(String channel, byte[] bytes) {
        CompletableFuture<Position> published;
        try {
            published = backplane.publish(channel, bytes);
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        return published.whenComplete((p, e) -> {
            if (e == null) {
                failureLogged = false;
            } else if (!failureLogged) {
                failureLogged = true;
                LOG.warn("hub node " + nodeId + " cannot publish to '" + channel + "': "
                        + Failures.rootCause(e));
            }
        });
    }

    /** Publishes a control envelope (command, reply, presence request, goodbye) with the next number. */
    CompletableFuture<Position> publishControl(String channel, Envelope.Kind kind, String connectionId,
            String correlation, String name, byte[] payload) {
        return publish(channel, EnvelopeCodec.encode(Envelope.control(kind, nodeId, nextSeq(), connectionId,
                correlation, name, payload)));
    }

    /**
     * Answers a request of node {@code caller}: a result when {@code errorCode} is null, else an
     * error. A reply the broker does not take is logged: the caller then fails with its timeout.
     */
    void reply(String caller, String correlation, String errorCode, byte[] payload) {
        if (closed.get()) {
            return;
        }
        Envelope.Kind kind = errorCode == null ? Envelope.Kind.REPLY_OK : Envelope.Kind.REPLY_ERROR;
        publishControl(channels.node(caller), kind, null, correlation, errorCode == null ? "" : errorCode, payload)
                .whenComplete((p, e) -> {
                    if (e != null) {
                        LOG.warn("hub node " + nodeId + " could not answer request "
                                + correlation + " of node " + caller + " (it will time out): " + Failures.rootCause(e));
                    }
                });
    }

    /** Asks the nodes for their presence snapshots: all of them, or only {@code node}. */
    void requestSnapshot(String node) {
        publishControl(node == null ? channels.presence() : channels.node(node), Envelope.Kind.SNAPSHOT_REQUEST,
                null, "", "", Envelope.EMPTY);
    }
}
