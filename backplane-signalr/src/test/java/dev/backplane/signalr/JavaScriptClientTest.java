package dev.backplane.signalr;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official JavaScript client ({@code @microsoft/signalr} 10.0.11 under Node.js) against two
 * server nodes on a private redis-server: every scenario of {@code src/test/js/scenarios.mjs}.
 */
class JavaScriptClientTest {

    private static TwoNodes nodes;

    @BeforeAll
    static void start() {
        nodes = new TwoNodes(o -> o);
    }

    @AfterAll
    static void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static void run(String scenario) throws Exception {
        NodeClients.run(scenario, Map.of("NODE1", nodes.url(0), "NODE2", nodes.url(1)));
    }

    @Test
    void allGroupUserAndConnectionSendsCrossNodesOverWebSocketsWithJson() throws Exception {
        run("targets-websockets-json");
    }

    @Test
    void everyTargetWorksWithMessagePackAndBinaryValuesBind() throws Exception {
        run("targets-websockets-messagepack");
    }

    @Test
    void everyTargetWorksOverServerSentEvents() throws Exception {
        run("targets-server-sent-events");
    }

    @Test
    void everyTargetWorksOverLongPolling() throws Exception {
        run("targets-long-polling");
    }

    @Test
    void longPollingCarriesMessagePack() throws Exception {
        run("targets-long-polling-messagepack");
    }

    @Test
    void aClientThatSkipsNegotiationConnectsOverWebSockets() throws Exception {
        run("skip-negotiation");
    }

    @Test
    void aHubMethodGetsAClientsResultFromAnotherNode() throws Exception {
        run("client-results");
    }

    @Test
    void streamsFlowBothWaysAndACancelStopsTheServer() throws Exception {
        run("streaming");
    }

    @Test
    void statefulReconnectReplaysWhatWasLostIncludingBackplaneMessagesExactlyOnce() throws Exception {
        run("stateful-reconnect");
    }

    @Test
    void refusedTokensGet401AndRolesOpenMethods() throws Exception {
        run("negotiate-errors");
    }
}
