package dev.backplane.hub;

import dev.backplane.Registration;
import java.util.function.LongConsumer;

/**
 * A hub node's or context's counters and levels, read live, for a metrics library to bind to
 * (see the {@code backplane-micrometer} module). Counters count from the start; reading
 * allocates nothing.
 */
public interface HubMetrics {

    /** Sends made ({@link HubContext#send} calls), by the kind of their target. */
    long sends(Target.Kind kind);

    /** Messages handed to local sinks, one per recipient. */
    long deliveries();

    /** Envelopes dropped because their message id was already handled (redeliveries, multi-channel sends). */
    long duplicatesDropped();

    /** Payloads from the broker that were not a valid envelope. */
    long malformedEnvelopes();

    /** Possible losses the transport reported. */
    long gaps();

    /** Nodes this process declared dead after missed heartbeats. */
    long nodesDeclaredDead();

    /** Clients this node disconnected for falling behind. */
    long slowClientDisconnects();

    /** Connections registered on this node now (0 for a context). */
    int localConnections();

    /** Nodes of the hub this process sees alive now. */
    int liveNodes();

    /**
     * Calls {@code recorder} with the nanoseconds from each {@link HubContext#invokeJson} call to its
     * outcome (answer, error or timeout), on the callback executor. Quick, never blocking.
     */
    Registration onInvocationLatency(LongConsumer recorder);
}
