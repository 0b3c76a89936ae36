package dev.backplane.hub;

import dev.backplane.BackplaneEvent;
import java.time.Instant;

/**
 * Something that happened to a hub node or context that an operator wants to hear about. Listen
 * with {@link HubContext#addListener}; events come on the callback executor of
 * {@link HubOptions#resources()}, one at a time per listener, in the order they were raised, never
 * on a backplane, sink or timer thread. None is raised for a message that went well.
 */
public sealed interface HubEvent {

    /** The hub's name. */
    String hub();

    /** The node or context that raised it. */
    String nodeId();

    /**
     * This node disconnected a client that stayed more than {@link HubOptions#connectionBuffer()}
     * messages behind past {@link HubOptions#slowClientGrace()}, or fell
     * {@link HubOptions#connectionHardLimit()} behind.
     *
     * @param discarded the messages that were waiting for it and were dropped
     */
    record SlowClientDisconnected(String hub, String nodeId, Instant at, String connectionId, String reason,
            int discarded) implements HubEvent {
    }

    /** This process declared another node dead: no presence message within its liveness bound. */
    record NodeDeclaredDead(String hub, String nodeId, Instant at, String deadNode) implements HubEvent {
    }

    /**
     * An event of the node's backplane, as it affects the node: the broker connection lost and
     * restored, gaps, failed publishes, full backlogs.
     */
    record Backplane(String hub, String nodeId, BackplaneEvent event) implements HubEvent {
    }
}
