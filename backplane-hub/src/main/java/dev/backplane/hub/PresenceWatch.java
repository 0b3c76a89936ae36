package dev.backplane.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observer's side of presence: reads other nodes' presence messages into the
 * {@link PresenceView}, handles goodbyes, and declares silent nodes dead, failing the requests
 * that waited on them.
 */
final class PresenceWatch {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceWatch.class);

    private final String nodeId;
    private final HubOptions options;
    private final ObjectMapper mapper;
    private final PresenceView view;
    private final EnvelopePublisher publisher;
    private final RemoteRequests requests;
    private final HubMonitor counters;

    PresenceWatch(String nodeId, HubOptions options, PresenceView view, EnvelopePublisher publisher,
            RemoteRequests requests, HubMonitor counters) {
        this.nodeId = nodeId;
        this.options = options;
        this.mapper = options.objectMapper();
        this.view = view;
        this.publisher = publisher;
        this.requests = requests;
        this.counters = counters;
    }

    /** A node's presence message; this node's own also tells that the broker carries its messages. */
    void onPresence(Envelope e) {
        view.onPresence(e.sender(), e.seq(), read(e), publisher::requestSnapshot);
    }

    /** A context heard its own echo: the broker carries its messages. */
    void onEcho(Envelope e) {
        if (e.sender().equals(nodeId)) {
            view.heardFromSelf();
        }
    }

    void onGoodbye(Envelope e) {
        view.onGoodbye(e.sender());
        requests.nodeGone(e.sender(), () -> new NodeGoneException("node " + e.sender() + " left the hub before answering"));
    }

    /**
     * Declares the nodes past their deadline dead; run every sweep interval. While this process
     * cannot hear itself (the broker is down, or it is cut off from it) nobody is declared dead:
     * their silence says nothing then.
     */
    void sweep() {
        for (String dead : view.sweep()) {
            counters.declaredDead.increment();
            counters.raise(() -> new HubEvent.NodeDeclaredDead(options.hub(), nodeId, java.time.Instant.now(), dead));
            LOG.info("hub '{}' node {} declared node {} dead: no presence message within its heartbeat interval x "
                    + "missed heartbeats", options.hub(), nodeId, dead);
            requests.nodeGone(dead, () -> new NodeGoneException("node " + dead + " was declared dead (no heartbeat) "
                    + "before answering"));
        }
    }

    private PresenceBody read(Envelope e) {
        try {
            return PresenceBody.read(mapper, e.payload());
        } catch (IllegalArgumentException ex) {
            counters.malformed.increment();
            throw new IllegalArgumentException("malformed presence from node " + e.sender() + ": " + ex.getMessage(), ex);
        }
    }
}
