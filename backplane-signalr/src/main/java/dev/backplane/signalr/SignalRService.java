package dev.backplane.signalr;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.Backplane;
import dev.backplane.Health;
import dev.backplane.Registration;
import dev.backplane.hub.HubNode;
import dev.backplane.hub.HubOptions;
import dev.backplane.spi.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The SignalR server without its HTTP host: the hubs, one {@link SignalREndpoint} each, on one
 * backplane. A host ({@code dev.backplane.signalr.jetty.JettyHost}, or another) serves the endpoints.
 *
 * <pre>{@code
 * SignalRService service = SignalRService.builder(backplane)
 *         .hub("/chat", ChatHub.class, ChatHub::new)
 *         .build();
 * JettyHost host = JettyHost.start(service, JettyHost.Options.port(8080));
 * service.hubContext("/chat").clients().all().send("announce", "hello");
 * }</pre>
 *
 * <p>Threads: hub methods run on an invocation pool of the service (one connection's calls one at
 * a time); a timer only schedules keep-alive and timeouts. Neither is a host's network thread.
 */
public final class SignalRService implements AutoCloseable {

    private final Map<String, SignalREndpoint> endpoints;
    private final ExecutorService pool;
    private final ScheduledExecutorService timer;
    private final ServerMonitor monitor;
    private final SignalRMetrics metrics;

    private SignalRService(Map<String, SignalREndpoint> endpoints, ExecutorService pool,
            ScheduledExecutorService timer, ServerMonitor monitor) {
        this.endpoints = endpoints;
        this.pool = pool;
        this.timer = timer;
        this.monitor = monitor;
        this.metrics = new SignalRMetrics() {
            @Override
            public int activeConnections(TransportType transport) {
                int n = 0;
                for (SignalREndpoint e : endpoints.values()) {
                    n += e.connectionCount(transport);
                }
                return n;
            }

            @Override
            public Registration onConnectionClosed(ConnectionClosed recorder) {
                return monitor.add(recorder);
            }
        };
    }

    /**
     * The server's health: as bad as its worst hub node (each hub's node health is a component,
     * named by the hub's path, and holds its backplane's). {@code DOWN} while the backplane's broker
     * is unreachable, so that a load balancer sends no new clients here. Details: the hubs and the
     * connections open.
     */
    public Health health() {
        Map<String, Health> components = new LinkedHashMap<>();
        int connections = 0;
        for (SignalREndpoint e : endpoints.values()) {
            components.put(e.path(), e.node().health());
            connections += e.connectionCount();
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("hubs", String.join(",", endpoints.keySet()));
        details.put("connections", connections);
        return Health.composite(Health.Status.UP, details, components);
    }

    /** What the server measures about its connections (see {@link SignalRMetrics}). */
    public SignalRMetrics metrics() {
        return metrics;
    }

    public static Builder builder(Backplane backplane) {
        return new Builder(backplane);
    }

    /** The endpoint at {@code path}, or null. */
    public SignalREndpoint endpoint(String path) {
        return endpoints.get(path);
    }

    public Collection<SignalREndpoint> endpoints() {
        return endpoints.values();
    }

    /**
     * Sends to the clients of the hub at {@code path} (on every node) from outside a hub method.
     *
     * @throws IllegalArgumentException if no hub is at {@code path}
     */
    public HubContext hubContext(String path) {
        SignalREndpoint e = endpoints.get(path);
        if (e == null) {
            throw new IllegalArgumentException("no hub at '" + path + "'; hubs: " + endpoints.keySet());
        }
        return e.hubContext();
    }

    /** Closes every connection and leaves every hub. The backplane stays the caller's. */
    @Override
    public void close() {
        endpoints.values().forEach(SignalREndpoint::close);
        timer.shutdownNow();
        pool.shutdown();
    }

    /** Collects hubs and options; {@link #build} starts them. */
    public static final class Builder {

        private record HubEntry(String path, Class<? extends Hub> type, Supplier<? extends Hub> factory) {
        }

        private final Backplane backplane;
        private final List<HubEntry> hubs = new ArrayList<>();
        private SignalROptions options = SignalROptions.defaults();
        private Function<String, HubOptions> hubOptions = HubOptions::of;
        private ObjectMapper mapper = new ObjectMapper();

        private Builder(Backplane backplane) {
            this.backplane = Objects.requireNonNull(backplane, "backplane");
        }

        /**
         * Serves {@code type} at {@code path} ({@code /chat}); {@code factory} makes an instance per
         * call. The hub's name on the backplane is the path without its leading slash: every node
         * must use the same path for a hub.
         */
        public <H extends Hub> Builder hub(String path, Class<H> type, Supplier<H> factory) {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(factory, "factory");
            if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/") || path.contains("?")) {
                throw new IllegalArgumentException("a hub path starts with '/', has a name, and does not end with '/'"
                        + " or hold a query, e.g. /chat; got '" + path + "'");
            }
            if (hubs.stream().anyMatch(h -> h.path().equals(path))) {
                throw new IllegalArgumentException("two hubs at '" + path + "'");
            }
            hubs.add(new HubEntry(path, type, factory));
            return this;
        }

        public Builder options(SignalROptions value) {
            this.options = Objects.requireNonNull(value, "options");
            return this;
        }

        /** The hub layer's options for each hub, from its name (default {@link HubOptions#of}). */
        public Builder hubOptions(Function<String, HubOptions> value) {
            this.hubOptions = Objects.requireNonNull(value, "hubOptions");
            return this;
        }

        /** The mapper that binds arguments and serializes results and sends (default a plain one). */
        public Builder objectMapper(ObjectMapper value) {
            this.mapper = Objects.requireNonNull(value, "objectMapper");
            return this;
        }

        /** Starts a hub node for every hub. */
        public SignalRService build() {
            if (hubs.isEmpty()) {
                throw new IllegalStateException("no hub: add one with hub(path, type, factory)");
            }
            ExecutorService pool = Executors.newCachedThreadPool(new DaemonThreads("signalr-invoke"));
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                    new DaemonThreads("signalr-timer"));
            Map<String, SignalREndpoint> endpoints = new LinkedHashMap<>();
            ServerMonitor monitor = new ServerMonitor();
            try {
                for (HubEntry h : hubs) {
                    HubOptions ho = hubOptions.apply(h.path().substring(1)).withObjectMapper(mapper);
                    HubNode node = HubNode.start(backplane, ho);
                    endpoints.put(h.path(), new SignalREndpoint(h.path(), node, h.type(), h.factory(), options,
                            mapper, pool, timer, monitor));
                }
            } catch (RuntimeException e) {
                endpoints.values().forEach(SignalREndpoint::close);
                pool.shutdown();
                timer.shutdownNow();
                throw e;
            }
            long period = sweepPeriod(options).toNanos();
            // The timer only schedules: each sweep hands its work to the pool.
            timer.scheduleAtFixedRate(() -> endpoints.values().forEach(e -> pool.execute(e::sweep)), period, period,
                    TimeUnit.NANOSECONDS);
            return new SignalRService(java.util.Collections.unmodifiableMap(endpoints), pool, timer, monitor);
        }

        private static Duration sweepPeriod(SignalROptions o) {
            Duration p = Duration.ofSeconds(1);
            for (Duration d : List.of(o.keepAliveInterval(), o.clientTimeout(), o.handshakeTimeout())) {
                if (d.dividedBy(4).compareTo(p) < 0) {
                    p = d.dividedBy(4);
                }
            }
            return p.compareTo(Duration.ofMillis(20)) < 0 ? Duration.ofMillis(20) : p;
        }
    }
}
