package dev.backplane.signalr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.signalr.HubConnection;
import com.microsoft.signalr.HubConnectionBuilder;
import com.microsoft.signalr.HubConnectionState;
import com.microsoft.signalr.TransportEnum;
import io.reactivex.rxjava3.core.Single;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official Java client ({@code com.microsoft.signalr:signalr} 9.0.3) against two nodes on Redis. */
class JavaClientTest {

    private static TwoNodes nodes;
    private final List<HubConnection> open = new CopyOnWriteArrayList<>();

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

    @AfterEach
    void closeClients() {
        open.forEach(c -> c.stop().blockingAwait(5, TimeUnit.SECONDS));
    }

    private HubConnection connect(int node, String token) {
        HubConnection c = HubConnectionBuilder.create(nodes.url(node))
                .withAccessTokenProvider(Single.just(token == null ? "" : token)).build();
        open.add(c);
        return c;
    }

    private static void startIt(HubConnection c) {
        c.start().blockingAwait(10, TimeUnit.SECONDS);
        assertThat(c.getConnectionState()).isEqualTo(HubConnectionState.CONNECTED);
    }

    @Test
    void invocationsGetTheirResultsAndErrors() {
        HubConnection a = connect(0, "user:alice");
        startIt(a);
        assertThat(a.invoke(String.class, "echo", "hi").timeout(10, TimeUnit.SECONDS).blockingGet()).isEqualTo("hi");
        assertThat(a.invoke(Integer.class, "add", 20, 22).timeout(10, TimeUnit.SECONDS).blockingGet()).isEqualTo(42);
        assertThatThrownBy(() -> a.invoke(String.class, "fail", "no").timeout(10, TimeUnit.SECONDS).blockingGet())
                .hasMessageContaining("HubException: no");
        assertThatThrownBy(() -> a.invoke(String.class, "adminOnly").timeout(10, TimeUnit.SECONDS).blockingGet())
                .hasMessageContaining("unauthorized");
    }

    @Test
    void sendsToAllGroupAndUserReachJavaClientsOnTheOtherNode() throws Exception {
        HubConnection a = connect(0, "user:alice");
        HubConnection b = connect(1, "user:bob");
        startIt(a);
        startIt(b);
        List<String> got = new CopyOnWriteArrayList<>();
        b.on("broadcast", (String from, String text) -> got.add("all:" + text), String.class, String.class);
        b.on("groupMessage", (String g, String text) -> got.add("group:" + text), String.class, String.class);
        b.on("userMessage", (String text) -> got.add("user:" + text), String.class);
        b.invoke("join", "java-room").blockingAwait(10, TimeUnit.SECONDS);
        a.invoke("broadcast", "one").blockingAwait(10, TimeUnit.SECONDS);
        a.invoke("sendToGroup", "java-room", "two").blockingAwait(10, TimeUnit.SECONDS);
        a.invoke("sendToUser", "bob", "three").blockingAwait(10, TimeUnit.SECONDS);
        Waits.until("bob to get all three", () -> got.size() >= 3);
        assertThat(got).containsExactly("all:one", "group:two", "user:three");
    }

    @Test
    void aJavaClientAnswersAnInvocationFromAnotherNode() {
        HubConnection a = connect(0, "user:alice");
        HubConnection b = connect(1, "user:bob");
        b.onWithResult("ask", (String q) -> Single.just("java says " + q), String.class);
        startIt(a);
        startIt(b);
        assertThat(a.invoke(String.class, "askClient", b.getConnectionId(), "ping").timeout(10, TimeUnit.SECONDS).blockingGet())
                .isEqualTo("java says ping");
    }

    @Test
    void aJavaClientReceivesAStream() {
        HubConnection a = connect(0, "user:alice");
        startIt(a);
        List<Integer> items = a.stream(Integer.class, "countdown", 3).toList().blockingGet();
        assertThat(items).containsExactly(3, 2, 1);
    }

    @Test
    void refusedAndExpiredTokensFailTheStartWith401() {
        HubConnection refused = connect(0, "nonsense");
        assertThatThrownBy(() -> refused.start().blockingAwait(10, TimeUnit.SECONDS)).hasMessageContaining("401");
        HubConnection expired = connect(1, "expired:alice");
        assertThatThrownBy(() -> expired.start().blockingAwait(10, TimeUnit.SECONDS)).hasMessageContaining("401");
    }

    @Test
    void aConnectionWhoseTokenExpiresIsClosedAtItsNextInvocation() {
        long expiry = System.currentTimeMillis() + 1500;
        HubConnection a = connect(0, "expiring:alice:" + expiry);
        startIt(a);
        assertThat(a.invoke(String.class, "echo", "before").timeout(10, TimeUnit.SECONDS).blockingGet()).isEqualTo("before");
        Waits.until("the token's expiry to pass", () -> System.currentTimeMillis() > expiry);
        assertThatThrownBy(() -> a.invoke(String.class, "echo", "after").timeout(10, TimeUnit.SECONDS).blockingGet())
                .hasMessageContaining("expired");
        Waits.until("the server to close the connection",
                () -> a.getConnectionState() == HubConnectionState.DISCONNECTED);
    }

    @Test
    void theJavaClientConnectsOverLongPollingToo() {
        HubConnection a = HubConnectionBuilder.create(nodes.url(0)).withTransport(TransportEnum.LONG_POLLING)
                .withAccessTokenProvider(Single.just("user:alice")).build();
        open.add(a);
        startIt(a);
        assertThat(a.invoke(String.class, "echo", "polled").timeout(10, TimeUnit.SECONDS).blockingGet()).isEqualTo("polled");
    }
}
