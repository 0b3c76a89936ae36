package dev.backplane.hub;

import dev.backplane.Registration;
import dev.backplane.spi.EventDispatcher;
import dev.backplane.spi.LatencyRecorders;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

/**
 * The live counters behind {@link HubStats} and {@link HubMetrics}, and the node's events: each part
 * of a node counts and raises in one call, so metrics, stats and events never disagree.
 */
final class HubMonitor implements HubMetrics {

    final LongAdder sent = new LongAdder();
    final LongAdder[] sentByKind = new LongAdder[Target.Kind.values().length];
    final LongAdder delivered = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder declaredDead = new LongAdder();
    final LongAdder slowConnections = new LongAdder();
    final EventDispatcher<HubEvent> events;
    private final IntSupplier localConnections;
    private final IntSupplier liveNodes;
    private final LatencyRecorders invocationRecorders = new LatencyRecorders();

    HubMonitor(Executor callbackExecutor, IntSupplier localConnections, IntSupplier liveNodes) {
        this.events = new EventDispatcher<>(callbackExecutor);
        this.localConnections = localConnections;
        this.liveNodes = liveNodes;
        for (int i = 0; i < sentByKind.length; i++) {
            sentByKind[i] = new LongAdder();
        }
    }

    HubStats snapshot() {
        return new HubStats(sent.sum(), delivered.sum(), duplicates.sum(), malformed.sum(), gaps.sum(),
                declaredDead.sum(), slowConnections.sum());
    }

    void sent(Target.Kind kind) {
        sent.increment();
        sentByKind[kind.ordinal()].increment();
    }

    /** Raises {@code event} if anyone listens; {@code event} is built only then. */
    void raise(java.util.function.Supplier<HubEvent> event) {
        if (events.hasListeners()) {
            events.publish(event.get());
        }
    }

    boolean timesInvocations() {
        return invocationRecorders.any();
    }

    void invocationTook(long nanos) {
        invocationRecorders.record(nanos);
    }

    @Override
    public long sends(Target.Kind kind) {
        return sentByKind[kind.ordinal()].sum();
    }

    @Override
    public long deliveries() {
        return delivered.sum();
    }

    @Override
    public long duplicatesDropped() {
        return duplicates.sum();
    }

    @Override
    public long malformedEnvelopes() {
        return malformed.sum();
    }

    @Override
    public long gaps() {
        return gaps.sum();
    }

    @Override
    public long nodesDeclaredDead() {
        return declaredDead.sum();
    }

    @Override
    public long slowClientDisconnects() {
        return slowConnections.sum();
    }

    @Override
    public int localConnections() {
        return localConnections.getAsInt();
    }

    @Override
    public int liveNodes() {
        return liveNodes.getAsInt();
    }

    @Override
    public Registration onInvocationLatency(LongConsumer recorder) {
        return invocationRecorders.add(recorder);
    }
}
