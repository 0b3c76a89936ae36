package dev.backplane.hub;

import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the node receives, on any of its channels: decodes the envelope, drops what was
 * already handled (a redelivery, or the second copy of a multi-channel send), hands each kind to the
 * part that handles it, and acknowledges. Also handles the transport's gap reports.
 */
final class InboxDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(InboxDispatcher.class);

    /** The parts a received envelope is handed to; {@code announcer} is null for a context. */
    record Handlers(TargetRouter router, GroupCommands groups, LocalInvocations invocations, RemoteRequests requests,
            PresenceWatch presence, PresenceAnnouncer announcer) {
    }

    private final String nodeId;
    private final HubOptions options;
    private final ChannelNames channels;
    private final EnvelopePublisher publisher;
    private final SeenMessages seen;
    private final HubMonitor counters;
    private final AtomicBoolean closed;
    private Handlers handlers;

    InboxDispatcher(String nodeId, HubOptions options, ChannelNames channels, EnvelopePublisher publisher,
            HubMonitor counters, AtomicBoolean closed) {
        this.nodeId = nodeId;
        this.options = options;
        this.channels = channels;
        this.publisher = publisher;
        this.seen = new SeenMessages(options.dedupCapacity());
        this.counters = counters;
        this.closed = closed;
    }

    /** Set once, before the first subscription. */
    void handlers(Handlers handlers) {
        this.handlers = handlers;
    }

    Subscriber subscriberFor(String channel) {
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

    void receive(Delivery delivery) {
        try {
            if (closed.get()) {
                return; // a delivery racing close(): nothing is left to hand it to
            }
            Envelope envelope;
            try {
                envelope = EnvelopeCodec.decode(delivery.payload());
            } catch (MalformedEnvelopeException e) {
                counters.malformed.increment();
                LOG.warn("hub '" + options.hub() + "' node " + nodeId
                        + " skipped a malformed message on channel '" + delivery.channel() + "': " + e.getMessage());
                return;
            }
            dispatch(envelope);
        } catch (RuntimeException e) {
            LOG.error("hub node " + nodeId + " failed to handle a message on '"
                    + delivery.channel() + "'", e);
        } finally {
            // Acknowledged even when it could not be handled: a redelivery would fail the same way.
            delivery.ack();
        }
    }

    private void dispatch(Envelope e) {
        Handlers h = handlers;
        switch (e.kind()) {
            // Presence is idempotent by its own sequence numbers; goodbyes and requests are harmless twice.
            case PRESENCE -> h.presence().onPresence(e);
            case GOODBYE -> h.presence().onGoodbye(e);
            case ECHO -> h.presence().onEcho(e);
            case SNAPSHOT_REQUEST -> {
                if (h.announcer() != null && !e.sender().equals(nodeId)) {
                    h.announcer().answerSnapshotRequest(e.sender());
                }
            }
            default -> {
                if (!seen.firstTime(e.messageId())) {
                    counters.duplicates.increment();
                    return;
                }
                switch (e.kind()) {
                    case SEND -> {
                        if (h.announcer() != null) {
                            h.router().deliver(e);
                        }
                    }
                    case INVOKE -> h.invocations().invoke(e, h.announcer() != null);
                    case GROUP_ADD, GROUP_REMOVE -> h.groups().apply(e);
                    case REPLY_OK, REPLY_ERROR -> h.requests().onReply(e);
                    default -> throw new IllegalStateException("unhandled envelope kind " + e.kind());
                }
            }
        }
    }

    /**
     * The transport may have lost messages on {@code gap.channel()}. They are not recovered (the
     * transport did not keep them): the gap is counted, logged and passed to the gap listener. On
     * the presence channel or this node's inbox, snapshots may be lost, so every node is asked for
     * a fresh one and presence heals at once.
     */
    void gapReported(Gap gap) {
        counters.gaps.increment();
        LOG.warn("hub '" + options.hub() + "' node " + nodeId + ": the transport reports "
                + "possible loss on '" + gap.channel() + "': " + gap.reason());
        if (!closed.get() && (gap.channel().equals(channels.presence()) || gap.channel().equals(channels.node(nodeId)))) {
            publisher.requestSnapshot(null);
        }
        try {
            options.gapListener().accept(gap);
        } catch (RuntimeException e) {
            LOG.warn("gap listener threw", e);
        }
    }
}
