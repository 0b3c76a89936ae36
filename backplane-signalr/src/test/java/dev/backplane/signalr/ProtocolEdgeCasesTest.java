package dev.backplane.signalr;

import static dev.backplane.signalr.RawClient.RS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Negotiate, upgrade and hub protocol edge cases, and bad input, at the frame level with a raw
 * WebSocket client (the JDK's): each gets the protocol's answer, the server keeps serving others,
 * and nothing leaks (connections leave the node and presence).
 */
class ProtocolEdgeCasesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TwoNodes nodes;

    @BeforeAll
    static void start() {
        nodes = new TwoNodes(o -> o.withHandshakeTimeout(Duration.ofSeconds(1))
                .withKeepAlive(Duration.ofMillis(300), Duration.ofMillis(1500))
                .withMaxMessageSize(1024).withMaxPendingInvocations(8));
    }

    @AfterAll
    static void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @AfterEach
    void nothingLeaks() {
        Waits.until("every connection to leave node 1", () -> nodes.endpoint(0).connectionCount() == 0
                && nodes.endpoint(0).node().localConnections().isEmpty());
    }

    private static JsonNode negotiate(String query) throws Exception {
        HttpResponse<String> r = RawClient.post(nodes.url(0) + "/negotiate?" + query);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static RawClient connected() throws Exception {
        RawClient c = RawClient.open(nodes.url(0), "");
        assertThat(c.handshakeJson()).isEqualTo("{}" + RS);
        return c;
    }

    @Test
    void negotiateVersion1GivesATokenAndEveryTransportWithItsFormats() throws Exception {
        JsonNode n = negotiate("negotiateVersion=1");
        assertThat(n.get("negotiateVersion").asInt()).isEqualTo(1);
        assertThat(n.get("connectionToken").asText()).isNotEmpty().isNotEqualTo(n.get("connectionId").asText());
        assertThat(n.get("availableTransports").toString()).isEqualTo("[{\"transport\":\"WebSockets\",\"transferFormats\":"
                + "[\"Text\",\"Binary\"]},{\"transport\":\"ServerSentEvents\",\"transferFormats\":[\"Text\"]},"
                + "{\"transport\":\"LongPolling\",\"transferFormats\":[\"Text\",\"Binary\"]}]");
        assertThat(n.has("useStatefulReconnect")).as("offered only when asked").isFalse();
        assertThat(negotiate("negotiateVersion=1&useStatefulReconnect=true").get("useStatefulReconnect").asBoolean())
                .isTrue();
        // The negotiated connections that never open a transport are closed by the handshake timeout.
    }

    @Test
    void negotiateVersion0HasNoTokenAndTheIdOpensTheSocket() throws Exception {
        JsonNode n = negotiate("");
        assertThat(n.has("connectionToken")).isFalse();
        assertThat(n.get("negotiateVersion").asInt()).isZero();
        try (RawClient c = RawClient.open(nodes.url(0), "id=" + n.get("connectionId").asText())) {
            assertThat(c.handshakeJson()).isEqualTo("{}" + RS);
        }
    }

    @Test
    void anUnknownIdIs404AndASecondSocketForOneIdIs409() throws Exception {
        HttpResponse<String> unknown = RawClient.HTTP.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(nodes.url(0) + "?id=nosuchtoken")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        String token = negotiate("negotiateVersion=1").get("connectionToken").asText();
        try (RawClient first = RawClient.open(nodes.url(0), "id=" + token)) {
            assertThat(first.handshakeJson()).isEqualTo("{}" + RS);
            try {
                RawClient.open(nodes.url(0), "id=" + token).close();
                throw new AssertionError("a second socket for one id was accepted");
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e).hasStackTraceContaining("409");
            }
        }
    }

    @Test
    void aHandshakeThatNeverComesEndsTheConnection() throws Exception {
        try (RawClient c = RawClient.open(nodes.url(0), "")) {
            assertThat(c.closeStatus()).startsWith("1000");
        }
    }

    @Test
    void anUnknownProtocolOrVersionIsRefusedInTheHandshake() throws Exception {
        try (RawClient c = RawClient.open(nodes.url(0), "")) {
            c.sendText("{\"protocol\":\"xml\",\"version\":1}" + RS);
            assertThat(c.next()).isEqualTo("{\"error\":\"The protocol 'xml' is not supported.\"}" + RS);
            assertThat(c.closeStatus()).startsWith("1000");
        }
        try (RawClient c = RawClient.open(nodes.url(0), "")) {
            c.sendText("{\"protocol\":\"json\",\"version\":7}" + RS);
            assertThat(c.next()).contains("does not support version 7");
        }
    }

    @Test
    void jsonHandshakeVersion2IsAcceptedAndMessagesMayFollowInTheSameFrame() throws Exception {
        try (RawClient c = RawClient.open(nodes.url(0), "")) {
            c.sendText("{\"protocol\":\"json\",\"version\":2}" + RS
                    + "{\"type\":1,\"invocationId\":\"1\",\"target\":\"echo\",\"arguments\":[\"same frame\"]}" + RS);
            assertThat(c.next()).isEqualTo("{}" + RS);
            assertThat(c.nextNotPing()).isEqualTo("{\"type\":3,\"invocationId\":\"1\",\"result\":\"same frame\"}" + RS);
        }
    }

    @Test
    void jsonInABinaryFrameIsAcceptedAndAnswersComeAsText() throws Exception {
        try (RawClient c = RawClient.open(nodes.url(0), "")) {
            c.sendBinary(RawClient.utf8("{\"protocol\":\"json\",\"version\":1}" + RS));
            assertThat(c.next()).isEqualTo("{}" + RS);
            c.sendBinary(RawClient.utf8("{\"type\":1,\"invocationId\":\"7\",\"target\":\"add\",\"arguments\":[1,2]}" + RS));
            assertThat(c.nextNotPing()).isEqualTo("{\"type\":3,\"invocationId\":\"7\",\"result\":3}" + RS);
        }
    }

    @Test
    void malformedJsonClosesTheConnectionWithTheReasonAndOthersKeepWorking() throws Exception {
        try (RawClient other = connected(); RawClient bad = connected()) {
            bad.sendText("{\"type\":1,\"target\":" + RS);
            String close = bad.nextNotPing();
            assertThat(close).startsWith("{\"type\":7,\"error\":\"Connection closed with an error. InvalidDataException: "
                    + "malformed JSON");
            assertThat(bad.closeStatus()).startsWith("1000");
            other.sendText("{\"type\":1,\"invocationId\":\"1\",\"target\":\"echo\",\"arguments\":[\"fine\"]}" + RS);
            assertThat(other.nextNotPing()).contains("\"result\":\"fine\"");
        }
    }

    @Test
    void anIncompleteMessageWithoutItsSeparatorIsRefused() throws Exception {
        try (RawClient c = connected()) {
            c.sendText("{\"type\":6}");
            assertThat(c.nextNotPing()).contains("incomplete JSON message");
        }
    }

    @Test
    void unknownMessageTypesAreSkippedAsTheProtocolAsks() throws Exception {
        try (RawClient c = connected()) {
            c.sendText("{\"type\":99,\"whatever\":true}" + RS
                    + "{\"type\":1,\"invocationId\":\"2\",\"target\":\"echo\",\"arguments\":[\"after\"]}" + RS);
            assertThat(c.nextNotPing()).contains("\"result\":\"after\"");
        }
    }

    @Test
    void unknownMethodsWrongCountsAndWrongTypesGetErrorCompletionsAndTheConnectionStays() throws Exception {
        try (RawClient c = connected()) {
            c.sendText("{\"type\":1,\"invocationId\":\"1\",\"target\":\"nope\",\"arguments\":[]}" + RS);
            assertThat(c.nextNotPing()).isEqualTo("{\"type\":3,\"invocationId\":\"1\",\"error\":\"Failed to invoke 'nope' "
                    + "due to an error on the server. HubException: Method does not exist.\"}" + RS);
            c.sendText("{\"type\":1,\"invocationId\":\"2\",\"target\":\"add\",\"arguments\":[1]}" + RS);
            assertThat(c.nextNotPing()).contains("Invocation provides 1 argument(s) but target expects 2.");
            c.sendText("{\"type\":1,\"invocationId\":\"3\",\"target\":\"add\",\"arguments\":[\"x\",{}]}" + RS);
            assertThat(c.nextNotPing()).contains("Error binding arguments");
            c.sendText("{\"type\":1,\"invocationId\":\"4\",\"target\":\"add\",\"arguments\":\"not an array\"}" + RS);
            assertThat(c.nextNotPing()).contains("needs an array 'arguments'");
        }
        try (RawClient c = connected()) {
            c.sendText("{\"type\":1,\"invocationId\":\"5\",\"target\":\"echo\",\"arguments\":[\"still serving\"]}" + RS);
            assertThat(c.nextNotPing()).contains("still serving");
        }
    }

    @Test
    void aNonBlockingInvocationGetsNoCompletion() throws Exception {
        try (RawClient c = connected()) {
            c.sendText("{\"type\":1,\"target\":\"echo\",\"arguments\":[\"no answer\"]}" + RS
                    + "{\"type\":1,\"invocationId\":\"9\",\"target\":\"echo\",\"arguments\":[\"answer\"]}" + RS);
            assertThat(c.nextNotPing()).contains("\"invocationId\":\"9\"");
        }
    }

    @Test
    void anOversizedFrameClosesWithTheLimitNamed() throws Exception {
        try (RawClient c = connected()) {
            c.sendText("{\"type\":1,\"target\":\"echo\",\"arguments\":[\"" + "x".repeat(2000) + "\"]}" + RS);
            assertThat(c.nextNotPing()).contains("over the maximum message size of 1024 bytes");
            assertThat(c.closeStatus()).startsWith("1000");
        }
    }

    @Test
    void aFloodOfInvocationsClosesTheConnectionBeforeItGrowsTheServer() throws Exception {
        try (RawClient c = connected()) {
            StringBuilder flood = new StringBuilder();
            for (int i = 0; i < 15; i++) {
                flood.append("{\"type\":1,\"invocationId\":\"").append(i)
                        .append("\",\"target\":\"slow\",\"arguments\":[200]}").append(RS);
            }
            c.sendText(flood.toString());
            String m;
            do {
                m = c.nextNotPing();
            } while (!m.startsWith("{\"type\":7"));
            assertThat(m).contains("more than 8 invocations wait");
        }
    }

    @Test
    void idleClientsArePingedAndSilentOnesAreDropped() throws Exception {
        try (RawClient c = connected()) {
            assertThat(c.next()).isEqualTo("{\"type\":6}" + RS);
            // the client never answers: after the client timeout the server gives up on it
            assertThat(c.closeStatus()).startsWith("1000");
        }
    }

    @Test
    void malformedMessagePackClosesWithTheReason() throws Exception {
        try (RawClient c = RawClient.open(nodes.url(0), "")) {
            c.sendText("{\"protocol\":\"messagepack\",\"version\":1}" + RS);
            assertThat(c.next()).isEqualTo("binary:" + java.util.HexFormat.of().formatHex(RawClient.utf8("{}" + RS)));
            c.sendBinary(new byte[] {0x03, (byte) 0x93, 0x01}); // says 3 bytes, an array of 3, then ends
            String close = c.next();
            while (close.equals("binary:029106")) {
                close = c.next();
            }
            assertThat(new String(java.util.HexFormat.of().parseHex(close.substring(7)), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("InvalidDataException");
        }
    }

    @Test
    void aConnectionThatEndsLeavesItsGroupsAndPresence() throws Exception {
        String id;
        try (RawClient c = connected()) {
            c.sendText("{\"type\":1,\"invocationId\":\"1\",\"target\":\"whoAmI\",\"arguments\":[]}" + RS);
            id = JSON.readTree(c.nextNotPing().replace(RS, "")).path("result").path("connectionId").asText();
            c.sendText("{\"type\":1,\"invocationId\":\"2\",\"target\":\"join\",\"arguments\":[\"leaky\"]}" + RS);
            assertThat(c.nextNotPing()).contains("\"invocationId\":\"2\"");
            Waits.until("the other node to see the member", () -> nodes.endpoint(1).node().presence()
                    .groupMembers("leaky").contains(id));
        }
        Waits.until("the group to be empty on the other node", () -> nodes.endpoint(1).node().presence()
                .groupMembers("leaky").isEmpty() && !nodes.endpoint(1).node().presence().connections().contains(id));
    }
}
