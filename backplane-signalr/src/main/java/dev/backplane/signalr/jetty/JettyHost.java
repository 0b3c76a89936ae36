package dev.backplane.signalr.jetty;

import dev.backplane.signalr.SignalREndpoint;
import dev.backplane.signalr.SignalRService;
import dev.backplane.signalr.host.HttpReply;
import dev.backplane.signalr.host.Upgrade;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/**
 * Serves a {@link SignalRService} over HTTP and WebSockets with Jetty 12 (core API, no servlets):
 * for each hub path, {@code POST /negotiate}, the WebSocket upgrade, Server-Sent Events, long
 * polling (GET, POST, DELETE), CORS preflights; {@code GET /health} (the service's
 * {@linkplain SignalRService#health() health} as JSON: HTTP 200 while UP or DEGRADED, 503 while
 * DOWN); {@code GET /metrics} when {@link Options#withMetrics} gives the text; and optionally static
 * files. This is the only class family of the module that knows Jetty.
 */
public final class JettyHost implements AutoCloseable {

    /**
     * Where and how to listen.
     *
     * @param host the address to bind (default 127.0.0.1)
     * @param port the port, 0 for an ephemeral one
     * @param staticRoots directories or classpath folders ({@code classpath:dev/app/web}) served for
     *     other paths, first match wins; {@code /} serves {@code index.html}
     * @param allowedOrigins origins that may call the hubs from another origin ({@code *} for any); empty: none
     * @param metrics the Prometheus text served at {@code GET /metrics} (for instance
     *     {@code PrometheusMeterRegistry::scrape}), read at each request; null serves no {@code /metrics}
     */
    public record Options(String host, int port, List<String> staticRoots, Set<String> allowedOrigins,
            Supplier<String> metrics) {
        public Options {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
            }
            staticRoots = List.copyOf(staticRoots);
            allowedOrigins = Set.copyOf(allowedOrigins);
        }

        public static Options port(int port) {
            return new Options("127.0.0.1", port, List.of(), Set.of(), null);
        }

        public Options withHost(String value) {
            return new Options(value, port, staticRoots, allowedOrigins, metrics);
        }

        public Options withStaticRoots(List<String> value) {
            return new Options(host, port, value, allowedOrigins, metrics);
        }

        public Options withAllowedOrigins(Set<String> value) {
            return new Options(host, port, staticRoots, value, metrics);
        }

        /** Serves {@code scrape}'s text (Prometheus' exposition format) at {@code GET /metrics}. */
        public Options withMetrics(Supplier<String> scrape) {
            return new Options(host, port, staticRoots, allowedOrigins, Objects.requireNonNull(scrape, "scrape"));
        }
    }

    private final Server server;
    private final ServerConnector connector;

    private JettyHost(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /** Starts serving; returns once the port is bound. */
    public static JettyHost start(SignalRService service, Options options) {
        QueuedThreadPool threads = new QueuedThreadPool(200, 4);
        threads.setName("signalr-http");
        threads.setDaemon(true);
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(options.host());
        connector.setPort(options.port());
        Duration longest = Duration.ofSeconds(30);
        for (SignalREndpoint e : service.endpoints()) {
            for (Duration d : List.of(e.options().longPollTimeout(), e.options().clientTimeout(),
                    e.options().reconnectWindow())) {
                longest = d.compareTo(longest) > 0 ? d : longest;
            }
        }
        // Our own timers end idle connections; Jetty's idle timeout only backs them up.
        connector.setIdleTimeout(longest.plusSeconds(30).toMillis());
        server.addConnector(connector);

        Cors cors = new Cors(options.allowedOrigins());
        Handler.Sequence routes = new Handler.Sequence();
        routes.addHandler(new OperationsHandler(service, options.metrics()));
        routes.addHandler(new HubHttpHandler(service, cors));
        routes.addHandler(new StaticFiles(options.staticRoots()));
        WebSocketUpgradeHandler upgrades = new WebSocketUpgradeHandler();
        for (SignalREndpoint e : service.endpoints()) {
            long maxFrame = e.options().maxMessageSize() + 64L * 1024;
            upgrades.addMapping(e.path(), (request, response, callback) -> {
                cors.apply(request, response);
                Upgrade upgrade;
                try {
                    upgrade = e.webSocket(new JettyRequest(request)).get(10, TimeUnit.SECONDS);
                } catch (Exception ex) {
                    Response.writeError(request, response, callback, 503, "could not open the connection: " + ex);
                    return null;
                }
                if (!upgrade.accepted()) {
                    HubHttpHandler.write(response, callback, upgrade.refusal());
                    return null;
                }
                return new JettySocket(upgrade, maxFrame);
            });
        }
        upgrades.getConfiguration().setMaxTextMessageSize(maxFrameOf(service));
        upgrades.getConfiguration().setMaxBinaryMessageSize(maxFrameOf(service));
        upgrades.getConfiguration().setIdleTimeout(Duration.ofMillis(connector.getIdleTimeout()));
        upgrades.setHandler(routes);
        server.setHandler(upgrades);
        server.setStopTimeout(2000);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // already failing
            }
            throw new IllegalStateException("could not start the SignalR host on " + options.host() + ":"
                    + options.port() + ": " + e.getMessage(), e);
        }
        return new JettyHost(server, connector);
    }

    private static long maxFrameOf(SignalRService service) {
        long max = 0;
        for (SignalREndpoint e : service.endpoints()) {
            max = Math.max(max, e.options().maxMessageSize() + 64L * 1024);
        }
        return max;
    }

    /** The bound port. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port}. */
    public String baseUrl() {
        return "http://" + connector.getHost() + ":" + port();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), port());
    }

    /** Stops listening; the service stays the caller's to close. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the SignalR host failed: " + e.getMessage(), e);
        }
    }

    /** Negotiate, Server-Sent Events, long polling and preflights for every hub path. */
    static final class HubHttpHandler extends Handler.Abstract {

        private final SignalRService service;
        private final Cors cors;

        HubHttpHandler(SignalRService service, Cors cors) {
            this.service = service;
            this.cors = cors;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            boolean negotiate = path.endsWith("/negotiate");
            SignalREndpoint e = service.endpoint(negotiate ? path.substring(0, path.length() - "/negotiate".length())
                    : path);
            if (e == null) {
                return false;
            }
            cors.apply(request, response);
            String method = request.getMethod();
            if (HttpMethod.OPTIONS.is(method)) {
                write(response, callback, HttpReply.empty(204));
                return true;
            }
            JettyRequest req = new JettyRequest(request);
            if (negotiate) {
                e.negotiate(req).whenComplete((reply, error) -> write(response, callback,
                        error != null ? HttpReply.text(500, String.valueOf(error)) : reply));
                return true;
            }
            switch (method) {
                case "GET" -> {
                    String accept = request.getHeaders().get(HttpHeader.ACCEPT);
                    if (accept != null && accept.contains("text/event-stream")) {
                        eventStream(e, req, request, response, callback);
                    } else {
                        e.poll(req, reply -> write(response, callback, reply));
                    }
                }
                case "POST" -> {
                    int limit = e.options().maxMessageSize() + 1;
                    Content.Source.asByteArrayAsync(request, limit).whenComplete((body, error) -> {
                        if (error != null) {
                            write(response, callback, HttpReply.text(413, "the body is over the maximum message size of "
                                    + e.options().maxMessageSize() + " bytes"));
                        } else {
                            write(response, callback, e.send(req, body));
                        }
                    });
                }
                case "DELETE" -> write(response, callback, e.delete(req));
                default -> write(response, callback, HttpReply.text(405, method + " is not used by SignalR"));
            }
            return true;
        }

        private static void eventStream(SignalREndpoint e, JettyRequest req, Request request, Response response,
                Callback callback) {
            e.eventStream(req).whenComplete((upgrade, error) -> {
                if (error != null || !upgrade.accepted()) {
                    write(response, callback, error != null ? HttpReply.text(500, String.valueOf(error))
                            : upgrade.refusal());
                    return;
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                EventStreamResponse stream = new EventStreamResponse(response, callback);
                request.addFailureListener(stream::failed);
                // The transport first, then the headers: the client's EventSource opens on them and POSTs its
                // handshake at once, which must find the connection's transport there. The empty write queues
                // behind anything the opening wrote, and commits the headers if that did not.
                stream.handler(upgrade.open(stream));
                stream.send(new byte[0], false, failure -> {
                    if (failure != null) {
                        stream.failed(failure);
                    }
                });
            });
        }

        static void write(Response response, Callback callback, HttpReply reply) {
            response.setStatus(reply.status());
            if (reply.contentType() != null) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            response.write(true, ByteBuffer.wrap(reply.body()), callback);
        }
    }
}
