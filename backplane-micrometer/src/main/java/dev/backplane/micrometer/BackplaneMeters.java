package dev.backplane.micrometer;

import dev.backplane.Backplane;
import dev.backplane.BackplaneEvent;
import dev.backplane.BackplaneMetrics;
import dev.backplane.PublishFailure;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one backplane, tagged {@code transport} and {@code prefix} (plus the tags given):
 * counters and gauges read {@link Backplane#metrics()} at each scrape, and the publish latency
 * timer records each publish as the broker accepts it. See the module's README for the table.
 *
 * <pre>{@code
 * new BackplaneMeters(backplane).bindTo(registry);
 * }</pre>
 *
 * <p>Two backplanes with the same transport and prefix in one registry need a tag that tells them
 * apart (an instance or node name): give it as {@code extraTags}. Never tag by channel, group or
 * user: their number is unbounded. {@link #close()} stops recording latencies; the registry keeps
 * the meters.
 */
public final class BackplaneMeters extends HookedBinder {

    private final Backplane backplane;
    private final Tags tags;

    public BackplaneMeters(Backplane backplane) {
        this(backplane, Tags.empty());
    }

    /** @param extraTags tags added to every meter, of low cardinality */
    public BackplaneMeters(Backplane backplane, Iterable<io.micrometer.core.instrument.Tag> extraTags) {
        this.backplane = Objects.requireNonNull(backplane, "backplane");
        BackplaneEvent.Source source = backplane.metrics().source();
        this.tags = Tags.of("transport", source.transport(), "prefix", source.prefix()).and(extraTags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        BackplaneMetrics m = backplane.metrics();
        FunctionCounter.builder("backplane.publishes", m, BackplaneMetrics::publishes).tags(tags)
                .description("publishes the broker accepted").register(registry);
        for (PublishFailure cause : PublishFailure.values()) {
            FunctionCounter.builder("backplane.publish.failures", m, x -> x.publishFailures(cause)).tags(tags)
                    .tag("cause", cause.tag()).description("publishes that failed, by cause").register(registry);
        }
        Timer latency = Timer.builder("backplane.publish.latency").tags(tags).publishPercentileHistogram()
                .description("from the publish call to the broker's acceptance").register(registry);
        keep(m.onPublishLatency(nanos -> latency.record(nanos, TimeUnit.NANOSECONDS)));
        FunctionCounter.builder("backplane.deliveries", m, BackplaneMetrics::deliveries).tags(tags)
                .description("messages handed to subscribers, redeliveries included").register(registry);
        FunctionCounter.builder("backplane.redeliveries", m, BackplaneMetrics::redeliveries).tags(tags)
                .description("deliveries handed over again after ackTimeout").register(registry);
        FunctionCounter.builder("backplane.gaps", m, BackplaneMetrics::gaps).tags(tags)
                .description("gaps reported to subscribers: messages may have been lost").register(registry);
        FunctionCounter.builder("backplane.reconnects", m, BackplaneMetrics::reconnects).tags(tags)
                .description("times the broker connection came back after a loss").register(registry);
        Gauge.builder("backplane.connected", m, x -> x.isConnected() ? 1 : 0).tags(tags)
                .description("1 while the broker connection is up, else 0").register(registry);
        Gauge.builder("backplane.outbox.depth", m, BackplaneMetrics::outboxDepth).tags(tags)
                .description("publishes waiting for the broker").register(registry);
        Gauge.builder("backplane.outbox.bytes", m, BackplaneMetrics::outboxBytes).tags(tags).baseUnit("bytes")
                .description("bytes those publishes hold").register(registry);
        Gauge.builder("backplane.subscriber.backlog", m, BackplaneMetrics::subscriberBacklog).tags(tags)
                .description("messages received and not yet handed to their subscribers").register(registry);
        Gauge.builder("backplane.unacknowledged", m, BackplaneMetrics::unacknowledged).tags(tags)
                .description("deliveries not yet acknowledged (at-least-once)").register(registry);
    }
}
