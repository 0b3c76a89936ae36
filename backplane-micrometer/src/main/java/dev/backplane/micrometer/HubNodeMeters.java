package dev.backplane.micrometer;

import dev.backplane.hub.HubContext;
import dev.backplane.hub.HubMetrics;
import dev.backplane.hub.Target;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one hub node (or context), tagged {@code hub} (plus the tags given), read from
 * {@link HubContext#metrics()} at each scrape; the invocation latency timer records each client
 * invocation as it ends. Bind the node's backplane with {@link BackplaneMeters} beside it. See the
 * module's README for the table.
 */
public final class HubNodeMeters extends HookedBinder {

    private final HubContext hub;
    private final Tags tags;

    public HubNodeMeters(HubContext hub) {
        this(hub, Tags.empty());
    }

    /** @param extraTags tags added to every meter, of low cardinality (never a group, user or connection) */
    public HubNodeMeters(HubContext hub, Iterable<Tag> extraTags) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.tags = Tags.of("hub", hub.hub()).and(extraTags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        HubMetrics m = hub.metrics();
        Gauge.builder("hub.connections", m, HubMetrics::localConnections).tags(tags)
                .description("client connections registered on this node").register(registry);
        for (Target.Kind kind : Target.Kind.values()) {
            FunctionCounter.builder("hub.sends", m, x -> x.sends(kind)).tags(tags)
                    .tag("target", kind.name().toLowerCase(Locale.ROOT))
                    .description("sends made, by the kind of their target").register(registry);
        }
        FunctionCounter.builder("hub.deliveries", m, HubMetrics::deliveries).tags(tags)
                .description("messages handed to local connections' sinks, one per recipient").register(registry);
        FunctionCounter.builder("hub.duplicates.dropped", m, HubMetrics::duplicatesDropped).tags(tags)
                .description("envelopes dropped as already handled (redeliveries, multi-channel sends)")
                .register(registry);
        FunctionCounter.builder("hub.malformed.envelopes", m, HubMetrics::malformedEnvelopes).tags(tags)
                .description("payloads from the broker that were not a valid envelope").register(registry);
        FunctionCounter.builder("hub.gaps", m, HubMetrics::gaps).tags(tags)
                .description("possible losses reported by the transport").register(registry);
        Gauge.builder("hub.nodes.alive", m, HubMetrics::liveNodes).tags(tags)
                .description("nodes of the hub this process sees alive").register(registry);
        FunctionCounter.builder("hub.nodes.declared.dead", m, HubMetrics::nodesDeclaredDead).tags(tags)
                .description("nodes this process declared dead after missed heartbeats").register(registry);
        FunctionCounter.builder("hub.slow.client.disconnects", m, HubMetrics::slowClientDisconnects).tags(tags)
                .description("clients disconnected for falling behind").register(registry);
        Timer latency = Timer.builder("hub.invocation.latency").tags(tags).publishPercentileHistogram()
                .description("from a client invocation to its answer, error or timeout").register(registry);
        keep(m.onInvocationLatency(nanos -> latency.record(nanos, TimeUnit.NANOSECONDS)));
    }
}
