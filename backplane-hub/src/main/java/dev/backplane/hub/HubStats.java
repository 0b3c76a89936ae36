package dev.backplane.hub;

/**
 * Counters of one node or context since it started.
 *
 * @param sent sends made (one per {@link HubContext#send} call)
 * @param delivered messages handed to local sinks (one per recipient)
 * @param duplicatesDropped envelopes dropped because their message id was already handled (a
 *     redelivery, or the second copy of a send that reached this node on two channels)
 * @param malformedEnvelopes payloads from the broker that were not a valid envelope; logged, skipped
 * @param gaps possible losses reported by the transport
 * @param nodesDeclaredDead nodes this process declared dead after missed heartbeats
 * @param slowConnectionsDisconnected connections this node disconnected as slow: more than
 *     {@link HubOptions#connectionBuffer()} messages waited for their sink past
 *     {@link HubOptions#slowClientGrace()}, or {@link HubOptions#connectionHardLimit()} did
 */
public record HubStats(long sent, long delivered, long duplicatesDropped, long malformedEnvelopes, long gaps,
        long nodesDeclaredDead, long slowConnectionsDisconnected) {
}
