package dev.backplane.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.signalr.SignalRService;
import dev.backplane.signalr.jetty.JettyHost;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /health} and {@code /metrics} over HTTP from a running SignalR server on a private Redis,
 * with a WebSocket client connected, through a Redis restart.
 */
class ServerEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Broker redis;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startRedis() {
        redis = Brokers.redis();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Negotiates and opens a WebSocket with the JSON handshake; completes when the server answered it. */
    private WebSocket connect(String base) throws Exception {
        HttpResponse<String> negotiate = http.send(HttpRequest.newBuilder(URI.create(base + "/ping/negotiate"
                + "?negotiateVersion=1")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        String token = JSON.readTree(negotiate.body()).get("connectionToken").asText();
        CompletableFuture<String> handshake = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + "/ping?id=" + token),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        handshake.complete(data.toString());
                        socket.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        ws.sendText("{\"protocol\":\"json\",\"version\":1}\u001e", true).get(5, TimeUnit.SECONDS);
        assertThat(handshake.get(5, TimeUnit.SECONDS)).isEqualTo("{}\u001e");
        return ws;
    }

    @Test
    void healthAndMetricsAnswerOverHttpAndHealthIsDownWhileTheBrokerIs() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Backplane backplane = Backplanes.open(URI.create("redis://" + redis.address()),
                Map.of("prefix", "endpoints", "connectTimeout", "2s"))) {
            SignalRService service = SignalRService.builder(backplane).hub("/ping", PingHub.class, PingHub::new).build();
            new BackplaneMeters(backplane).bindTo(registry);
            new HubNodeMeters(service.endpoint("/ping").node(), Tags.of("node", "n1")).bindTo(registry);
            new SignalRServerMeters(service).bindTo(registry);
            JettyHost host = JettyHost.start(service, JettyHost.Options.port(0).withMetrics(registry::scrape));
            try {
                String base = host.baseUrl();
                Waits.until(() -> service.health().status() == dev.backplane.Health.Status.UP, Duration.ofSeconds(10),
                        "the server UP");
                HttpResponse<String> health = get(base + "/health");
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.headers().firstValue("content-type")).hasValueSatisfying(
                        t -> assertThat(t).startsWith("application/json"));
                JsonNode up = JSON.readTree(health.body());
                assertThat(up.get("status").asText()).isEqualTo("UP");
                assertThat(up.at("/components/~1ping/components/backplane/details/connected").asBoolean()).isTrue();

                WebSocket ws = connect(base);
                HttpResponse<String> metrics = get(base + "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("content-type")).hasValue(
                        "text/plain; version=0.0.4; charset=utf-8");
                assertThat(metrics.body())
                        .contains("signalr_server_active_connections{signalr_transport=\"web_sockets\"} 1.0")
                        .contains("hub_connections{hub=\"ping\",node=\"n1\"} 1.0")
                        .contains("backplane_connected{prefix=\"endpoints\",transport=\"redis\"} 1.0");
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
                Waits.until(() -> registry.scrape().contains("signalr_server_connection_duration_seconds_count{"
                        + "signalr_connection_status=\"normal_closure\",signalr_transport=\"web_sockets\"} 1"),
                        Duration.ofSeconds(10), "the closed connection's duration recorded");

                redis.stop();
                Duration toDown = Waits.until(() -> statusOf(base) == 503, Duration.ofSeconds(5),
                        "/health answers 503 once Redis is down");
                JsonNode down = JSON.readTree(get(base + "/health").body());
                assertThat(down.get("status").asText()).isEqualTo("DOWN");
                assertThat(down.at("/components/~1ping/components/backplane/details/connected").asBoolean()).isFalse();
                Files.writeString(Path.of("target", "health-during-outage.json"),
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(down));
                redis.start();
                Duration toUp = Waits.until(() -> statusOf(base) == 200, Duration.ofSeconds(5),
                        "/health answers 200 once Redis is back");
                System.out.printf("SignalR server on Redis: /health 503 %d ms after the stop, 200 %d ms after the start%n",
                        toDown.toMillis(), toUp.toMillis());
                Files.writeString(Path.of("target", "scrape-signalr-redis.txt"), registry.scrape());
                connect(base);
                service.close();
                Waits.until(() -> registry.scrape().contains("signalr_server_connection_duration_seconds_count{"
                        + "signalr_connection_status=\"app_shutdown\",signalr_transport=\"web_sockets\"} 1"),
                        Duration.ofSeconds(10), "a connection ended by the server's shutdown recorded as app_shutdown");
            } finally {
                host.close();
                service.close();
            }
        }
    }

    private int statusOf(String base) {
        try {
            return get(base + "/health").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
