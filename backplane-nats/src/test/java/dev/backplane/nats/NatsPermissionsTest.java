package dev.backplane.nats;

import static dev.backplane.nats.Opened.await;
import static dev.backplane.nats.SecureChecks.assertRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Position;
import dev.backplane.brokers.SecureNats;
import dev.backplane.spi.TlsSettings;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.Recorder;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tenants kept apart by the broker: a user with {@link LeastPrivilege}'s permissions for prefix A
 * runs a backplane on A fully (both transports, replay included) with no refusal in the server's
 * log, is refused B's subjects with an error naming the permissions violation, and never sees B's
 * messages, even when it asks for them with a plain NATS client.
 */
class NatsPermissionsTest {

    private static final String A = "tenant_a_" + UUID.randomUUID().toString().substring(0, 6);
    private static final String B = "tenant_b_" + UUID.randomUUID().toString().substring(0, 6);
    private static SecureNats nats;
    private final Opened opened = new Opened();

    @BeforeAll
    static void startServer() {
        nats = SecureNats.builder().configuration("authorization { users = [\n  "
                + LeastPrivilege.user("alice", "alice-pw", A) + "\n  "
                + LeastPrivilege.user("bob", "bob-pw", B) + "\n] }").start();
    }

    @AfterAll
    static void stopServer() {
        nats.close();
    }

    @AfterEach
    void closeBackplanes() {
        opened.close();
    }

    private static String uri(String scheme, String user) {
        return scheme + "://" + user + ":" + user + "-pw@" + nats.address();
    }

    private static Map<String, String> on(String prefix) {
        return Map.of("prefix", prefix, TlsSettings.CA_FILE, nats.authority().certificate().toString(),
                "connectTimeout", SecureChecks.CONNECT_TIMEOUT.toMillis() + "ms");
    }

    @Test
    void aUserLimitedToItsPrefixRunsBothTransportsWithNoRefusal() {
        int logBefore = nats.log().length();
        assertRoundTrip(opened, uri("tls", "alice"), on(A));
        assertRoundTrip(opened, uri("jetstreams", "alice"), on(A));
        AsyncFailures failures = new AsyncFailures();
        Backplane jetStream = opened.open(uri("jetstreams", "alice"), on(A));
        Position first = await(jetStream.publish("replayed", "one".getBytes(StandardCharsets.UTF_8)));
        await(jetStream.publish("replayed", "two".getBytes(StandardCharsets.UTF_8)));
        Recorder replay = new Recorder("replayed", failures, true);
        await(jetStream.subscribe("replayed", first, replay));
        assertThat(replay.awaitCount(1).get(0).text()).isEqualTo("two");
        opened.close(); // consumers deleted: that takes a permission too
        failures.rethrow();
        assertThat(nats.log().substring(logBefore)).as("what the server refused").doesNotContain("Violation");
    }

    @Test
    void anotherTenantsPrefixIsRefusedAtSubscribeAndPublishNamingThePermissionsViolation() {
        Backplane core = opened.open(uri("tls", "alice"), on(B));
        Throwable subscribe = catchThrowable(() -> core.subscribe("x", d -> { }).join());
        assertThat(subscribe).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("Permissions Violation").hasMessageContaining(B + ".x");
        Throwable publish = catchThrowable(() -> core.publish("x", new byte[] {1}).join());
        assertThat(publish).hasCauseInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("Permissions Violation").hasMessageContaining(B + ".x");
        assertThatThrownBy(() -> opened.open(uri("jetstreams", "alice"), on(B)))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("Permissions Violation").hasMessageContaining("$JS.API.STREAM.INFO." + B);
    }

    @Test
    void aTenantNeverSeesAnotherTenantsMessagesEvenAskingWithAPlainClient() throws Exception {
        List<String> refused = new CopyOnWriteArrayList<>();
        AtomicInteger seen = new AtomicInteger();
        Options options = new Options.Builder().server("tls://" + nats.address()).userInfo("alice", "alice-pw")
                .sslContext(TestContexts.trusting(nats.authority().certificate()))
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        refused.add(error);
                    }
                }).build();
        try (Connection spy = Nats.connect(options)) {
            var dispatcher = spy.createDispatcher(m -> seen.incrementAndGet());
            for (String subject : List.of(">", B + ".>", "_INBOX.>", "_INBOX." + B + ".>")) {
                dispatcher.subscribe(subject);
            }
            spy.flush(Duration.ofSeconds(5));
            assertRoundTrip(opened, uri("tls", "bob"), on(B));
            assertRoundTrip(opened, uri("jetstreams", "bob"), on(B));
            spy.flush(Duration.ofSeconds(5)); // whatever the server sent the spy before this has arrived
            assertThat(seen).as("messages of tenant B seen by tenant A").hasValue(0);
            assertThat(refused).as("the server's answers to A's subscriptions")
                    .anyMatch(e -> e.contains("Permissions Violation for Subscription to \"" + B + ".>\""))
                    .anyMatch(e -> e.contains("Permissions Violation for Subscription to \"_INBOX." + B + ".>\""));
        }
    }
}
