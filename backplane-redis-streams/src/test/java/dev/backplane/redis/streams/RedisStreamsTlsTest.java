package dev.backplane.redis.streams;

import static dev.backplane.redis.streams.SecureStreamsSupport.failsWithin;
import static dev.backplane.redis.streams.StreamsTestSupport.await;
import static dev.backplane.redis.streams.StreamsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.Position;
import dev.backplane.brokers.SecureRedis;
import dev.backplane.fixture.TestCertificates;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.Recorder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis Streams backplane on TLS-only Redis servers: live delivery and replay through
 * {@code rediss-streams://} and {@code rediss://...?provider=redis-streams}, mutual TLS, and
 * {@code Backplanes.open} failing within the connect timeout, saying why, for a server the
 * client must not trust (another authority, another host name) and for a server that wants a
 * client certificate it does not get; TLS options on a plain URI refused at the call.
 */
class RedisStreamsTlsTest {

    private static final String PASSWORD = "streams-tls-pw";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Map<String, String> TIMEOUTS = Map.of("connectTimeout", CONNECT_TIMEOUT.toMillis() + "ms",
            "publishTimeout", "15s");

    static SecureRedis tls;
    static SecureRedis mutual;
    static SecureRedis otherHost;
    @TempDir
    static Path elsewhere;

    private final AsyncFailures failures = new AsyncFailures();
    private final SecureStreamsSupport support = new SecureStreamsSupport();
    private final String prefix = "st-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void startServers() {
        tls = SecureRedis.tls().defaultUserPassword(PASSWORD).start();
        mutual = SecureRedis.tls().clientAuth("yes").defaultUserPassword(PASSWORD).start();
        otherHost = SecureRedis.tls().serverCertificateFor("redis.other.example").defaultUserPassword(PASSWORD).start();
    }

    @AfterAll
    static void stopServers() {
        for (SecureRedis redis : new SecureRedis[] {tls, mutual, otherHost}) {
            if (redis != null) {
                redis.close();
            }
        }
    }

    @AfterEach
    void closeBackplanes() {
        support.close();
        failures.rethrow();
    }

    private Backplane open(String uri, Map<String, String> tlsOptions) {
        Map<String, String> options = new HashMap<>(TIMEOUTS);
        options.put("prefix", prefix);
        return support.open(uri, tlsOptions, options);
    }

    private static Map<String, String> with(Map<String, String> options, String key, String value) {
        Map<String, String> all = new HashMap<>(options);
        all.put(key, value);
        return all;
    }

    private void assertLiveAndReplay(String uri, Map<String, String> tlsOptions) {
        Backplane subscriber = open(uri, tlsOptions);
        Backplane publisher = open(uri, tlsOptions);
        assertThat(subscriber.capabilities().transport()).isEqualTo("redis-streams");
        Recorder live = new Recorder("news", failures, true);
        await(subscriber.subscribe("news", live));
        await(publisher.publish("news", utf8("one")));
        await(publisher.publish("news", utf8("two")));
        live.awaitTexts(List.of("one", "two"), Duration.ofSeconds(15), "live deliveries over TLS");
        Recorder replay = new Recorder("news", failures, true);
        await(subscriber.subscribe("news", Position.EARLIEST, replay));
        replay.awaitTexts(List.of("one", "two"), Duration.ofSeconds(15), "a replay over TLS");
    }

    @Test
    void liveDeliveryAndReplayOverATlsOnlyServerWithTheStreamsScheme() {
        assertLiveAndReplay(tls.uri("rediss-streams", null, PASSWORD), tls.trustOptions());
    }

    @Test
    void aRedissUriWithTheProviderOptionUsesTlsToo() {
        assertLiveAndReplay(tls.uri("rediss", null, PASSWORD) + "?provider=redis-streams", tls.trustOptions());
    }

    @Test
    void theAuthorityMayBeATrustStoreAndTheHostAName() {
        assertLiveAndReplay("rediss-streams://:" + PASSWORD + "@localhost:" + tls.port(), Map.of(
                "tlsTrustStore", tls.authority().trustStore().toString(),
                "tlsTrustStorePassword", TestCertificates.STORE_PASSWORD));
    }

    @Test
    void mutualTlsWorksWithAClientCertificateAsPemFilesOrAKeyStore() {
        assertLiveAndReplay(mutual.uri("rediss-streams", null, PASSWORD), mutual.mutualTlsOptions());
        assertLiveAndReplay(mutual.uri("rediss-streams", null, PASSWORD), Map.of(
                "tlsCaFile", mutual.authority().certificate().toString(),
                "tlsKeyStore", mutual.clientCertificate().keyStore().toString(),
                "tlsKeyStorePassword", TestCertificates.STORE_PASSWORD));
    }

    @Test
    void withoutAClientCertificateAServerThatRequiresOneFailsTheOpenSayingSo() {
        RuntimeException e = failsWithin(() -> open(mutual.uri("rediss-streams", null, PASSWORD), mutual.trustOptions()),
                CONNECT_TIMEOUT, "opening without the client certificate");
        assertThat(e).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("requires a client certificate").hasMessageContaining(mutual.address())
                .hasMessageContaining("tlsCertFile").hasMessageNotContaining(PASSWORD);
    }

    @Test
    void aServerSignedByAnotherAuthorityIsNotTrustedAndTheOpenSaysSo() {
        TestCertificates other = TestCertificates.authority(elsewhere.resolve("server-ca"));
        RuntimeException e = failsWithin(() -> open(tls.uri("rediss-streams", null, PASSWORD),
                Map.of("tlsCaFile", other.certificate().toString())), CONNECT_TIMEOUT,
                "opening with another authority");
        assertThat(e).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("the server's certificate is not trusted").hasMessageContaining(tls.address())
                .hasMessageContaining("tlsCaFile");
        RuntimeException jvm = failsWithin(() -> open(tls.uri("rediss-streams", null, PASSWORD), Map.of()),
                CONNECT_TIMEOUT, "opening with the JVM's authorities");
        assertThat(jvm).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("the server's certificate is not trusted")
                .hasMessageContaining("only the JVM's default authorities");
    }

    @Test
    void aCertificateForAnotherHostFailsTheOpenUnlessHostNameVerificationIsOff() {
        RuntimeException e = failsWithin(() -> open(otherHost.uri("rediss-streams", null, PASSWORD),
                otherHost.trustOptions()), CONNECT_TIMEOUT, "opening a server whose certificate names another host");
        assertThat(e).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("does not match the host '127.0.0.1'")
                .hasMessageContaining("tlsVerifyHostname=false");
        assertLiveAndReplay(otherHost.uri("rediss-streams", null, PASSWORD),
                with(otherHost.trustOptions(), "tlsVerifyHostname", "false"));
    }

    @Test
    void tlsOptionsOnAPlainUriAreRefusedAtTheCall() {
        String ca = tls.authority().certificate().toString();
        assertThatThrownBy(() -> Backplanes.open(URI.create("redis-streams://127.0.0.1:" + tls.port()),
                Map.of("tlsCaFile", ca)))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("[tlsCaFile]").hasMessageContaining("scheme 'redis-streams' is not a TLS one");
        assertThatThrownBy(() -> Backplanes.open(URI.create("redis://127.0.0.1:" + tls.port() + "?provider=redis-streams"),
                Map.of("tlsCertFile", ca, "tlsKeyFile", ca)))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("[tlsCertFile, tlsKeyFile]");
    }
}
