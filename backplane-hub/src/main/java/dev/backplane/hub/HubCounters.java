package dev.backplane.hub;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link HubStats}; each part of a node increments its own. */
final class HubCounters {

    final LongAdder sent = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder declaredDead = new LongAdder();
    final LongAdder slowConnections = new LongAdder();

    HubStats snapshot() {
        return new HubStats(sent.sum(), delivered.sum(), duplicates.sum(), malformed.sum(), gaps.sum(),
                declaredDead.sum(), slowConnections.sum());
    }
}
