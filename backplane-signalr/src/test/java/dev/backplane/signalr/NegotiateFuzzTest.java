package dev.backplane.signalr;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.signalr.host.HostRequest;
import dev.backplane.signalr.host.HttpReply;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The endpoint's reading of negotiate requests and of the {@code ?id=} requests that follow
 * (send, delete), on any method, query and headers: always an HTTP reply, never an exception; a
 * 200 negotiate reply is JSON naming the connection and the version it agreed, or an error.
 */
class NegotiateFuzzTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> PARAMETERS = List.of("negotiateVersion", "useStatefulReconnect", "id",
            "access_token", "transport");
    private static final SignalREndpoint ENDPOINT = endpoint();

    /** A quiet hub on the in-memory backplane; connections never given a transport close after 200 ms. */
    public static class QuietHub extends Hub {
    }

    private static SignalREndpoint endpoint() {
        Backplane backplane = Backplanes.open("mem://negotiate-fuzz");
        SignalRService service = SignalRService.builder(backplane)
                .hub("/fuzz", QuietHub.class, QuietHub::new)
                .options(SignalROptions.defaults().withHandshakeTimeout(Duration.ofMillis(200)))
                .build();
        return service.endpoint("/fuzz");
    }

    @FuzzTest(maxDuration = "3s")
    void readsNegotiateRequests(FuzzedDataProvider data) throws Exception {
        String method = data.pickValue(List.of("POST", "GET", "DELETE", data.consumeString(8)));
        Map<String, String> query = new HashMap<>();
        int n = data.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
            String name = data.consumeBoolean() ? data.pickValue(PARAMETERS) : data.consumeString(12);
            query.put(name, data.consumeString(24));
        }
        String authorization = data.consumeBoolean() ? data.consumeString(40) : null;
        byte[] body = data.consumeRemainingAsBytes();
        HostRequest request = new HostRequest() {
            @Override
            public String method() {
                return method;
            }

            @Override
            public Map<String, String> query() {
                return query;
            }

            @Override
            public String header(String name) {
                return "Authorization".equalsIgnoreCase(name) ? authorization : null;
            }

            @Override
            public String cookie(String name) {
                return null;
            }
        };

        HttpReply reply = ENDPOINT.negotiate(request).get(5, TimeUnit.SECONDS);
        assertThat(reply.status()).isBetween(200, 599);
        if (reply.status() == 200) {
            JsonNode json = MAPPER.readTree(reply.body());
            assertThat(json.has("connectionId") || json.has("error")).as(reply.bodyText()).isTrue();
            if (json.has("connectionId")) {
                int version = json.get("negotiateVersion").asInt();
                assertThat(version).isIn(0, 1);
                assertThat(json.has("connectionToken")).isEqualTo(version == 1);
            }
        }
        assertThat(ENDPOINT.send(request, body).status()).isBetween(200, 599);
        assertThat(ENDPOINT.delete(request).status()).isBetween(200, 599);
    }
}
