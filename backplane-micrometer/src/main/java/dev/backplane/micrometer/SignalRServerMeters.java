package dev.backplane.micrometer;

import dev.backplane.signalr.SignalRMetrics;
import dev.backplane.signalr.SignalRService;
import dev.backplane.signalr.TransportType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The SignalR server's meters, named and tagged as ASP.NET Core names them
 * ({@code Microsoft.AspNetCore.Http.Connections}): {@code signalr.server.active_connections} by
 * {@code signalr.transport}, and {@code signalr.server.connection.duration} by
 * {@code signalr.transport} and {@code signalr.connection.status} ({@code normal_closure},
 * {@code timeout}, {@code app_shutdown}), with ASP.NET Core's bucket bounds (10 ms to 300 s).
 * Bind each hub's node with {@link HubNodeMeters} and the backplane with {@link BackplaneMeters}.
 */
public final class SignalRServerMeters extends HookedBinder {

    /** ASP.NET Core's advised bucket bounds for the connection duration, in seconds. */
    static final double[] DURATION_BUCKETS = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300};

    private final SignalRService service;
    private final Tags tags;

    public SignalRServerMeters(SignalRService service) {
        this(service, Tags.empty());
    }

    /** @param extraTags tags added to every meter, of low cardinality */
    public SignalRServerMeters(SignalRService service, Iterable<Tag> extraTags) {
        this.service = Objects.requireNonNull(service, "service");
        this.tags = Tags.of(extraTags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        SignalRMetrics m = service.metrics();
        for (TransportType t : TransportType.values()) {
            Gauge.builder("signalr.server.active_connections", m, x -> x.activeConnections(t)).tags(tags)
                    .tag("signalr.transport", t.tag())
                    .description("Number of connections that are currently active on the server.").register(registry);
        }
        Duration[] slos = new Duration[DURATION_BUCKETS.length];
        for (int i = 0; i < slos.length; i++) {
            slos[i] = Duration.ofNanos((long) (DURATION_BUCKETS[i] * 1e9));
        }
        keep(m.onConnectionClosed((transport, status, nanos) -> Timer
                .builder("signalr.server.connection.duration").tags(tags)
                .tag("signalr.transport", transport == null ? "none" : transport.tag())
                .tag("signalr.connection.status", status)
                .serviceLevelObjectives(slos)
                .description("The duration of connections on the server.")
                .register(registry).record(nanos, TimeUnit.NANOSECONDS)));
    }
}
