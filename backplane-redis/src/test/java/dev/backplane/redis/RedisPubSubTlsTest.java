package dev.backplane.redis;

import static dev.backplane.redis.PubSubTestSupport.await;
import static dev.backplane.redis.PubSubTestSupport.utf8;
import static dev.backplane.redis.SecureRedisSupport.failsWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.brokers.SecureRedis;
import dev.backplane.fixture.TestCertificates;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.Recorder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis pub/sub backplane on TLS-only Redis servers ({@code --port 0 --tls-port P}): a round
 * trip with the authority as a PEM file or a trust store, mutual TLS, and a clear, prompt failure
 * for a server the client must not trust (another authority, the JVM's authorities, another host
 * name), for a server that wants a client certificate it does not get, and for TLS options on a
 * plain URI.
 */
class RedisPubSubTlsTest {

    private static final String PASSWORD = "tls-default-pw";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Longer than the connect timeout: a failure must not wait for it. */
    private static final Map<String, String> TIMEOUTS = Map.of("connectTimeout", CONNECT_TIMEOUT.toMillis() + "ms",
            "publishTimeout", "15s");

    static SecureRedis tls;
    static SecureRedis mutual;
    static SecureRedis otherHost;
    @TempDir
    static Path elsewhere;

    private final AsyncFailures failures = new AsyncFailures();
    private final SecureRedisSupport support = new SecureRedisSupport();

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

    private Backplane open(SecureRedis redis, String uri, Map<String, String> tlsOptions) {
        Map<String, String> options = new HashMap<>(TIMEOUTS);
        options.put("prefix", "tls");
        return support.open(uri, tlsOptions, options);
    }

    private static Map<String, String> with(Map<String, String> options, String key, String value) {
        Map<String, String> all = new HashMap<>(options);
        all.put(key, value);
        return all;
    }

    private void assertRoundTrip(SecureRedis redis, String uri, Map<String, String> tlsOptions) throws Exception {
        Backplane subscriber = open(redis, uri, tlsOptions);
        Backplane publisher = open(redis, uri, tlsOptions);
        Recorder recorder = new Recorder("news", failures, true);
        await(subscriber.subscribe("news", recorder));
        await(publisher.publish("news", utf8("over TLS")));
        assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("over TLS");
        assertThat(subscriber.health().status()).hasToString("UP");
    }

    @Test
    void aMessageCrossesATlsOnlyServerWithTheAuthorityAsAPemFile() throws Exception {
        assertRoundTrip(tls, tls.uri("rediss", null, PASSWORD), tls.trustOptions());
    }

    @Test
    void theAuthorityMayBeATrustStoreAndTheHostAName() throws Exception {
        String uri = "rediss://:" + PASSWORD + "@localhost:" + tls.port();
        assertRoundTrip(tls, uri, Map.of("tlsTrustStore", tls.authority().trustStore().toString(),
                "tlsTrustStorePassword", TestCertificates.STORE_PASSWORD));
    }

    @Test
    void mutualTlsWorksWithAClientCertificateAsPemFilesOrAKeyStore() throws Exception {
        assertRoundTrip(mutual, mutual.uri("rediss", null, PASSWORD), mutual.mutualTlsOptions());
        assertRoundTrip(mutual, mutual.uri("rediss", null, PASSWORD), Map.of(
                "tlsCaFile", mutual.authority().certificate().toString(),
                "tlsKeyStore", mutual.clientCertificate().keyStore().toString(),
                "tlsKeyStorePassword", TestCertificates.STORE_PASSWORD));
    }

    @Test
    void withoutAClientCertificateAServerThatRequiresOneFailsBothSidesSayingSo() throws Exception {
        Backplane backplane = open(mutual, mutual.uri("rediss", null, PASSWORD), mutual.trustOptions());
        long start = System.nanoTime();
        Throwable subscribe = failsWithin(backplane.subscribe("news", new Recorder("news", failures, true)), start,
                CONNECT_TIMEOUT, "a subscribe without the client certificate");
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("requires a client certificate").hasMessageContaining(mutual.address())
                .hasMessageContaining("tlsCertFile").hasMessageNotContaining(PASSWORD);
        start = System.nanoTime();
        Throwable publish = failsWithin(backplane.publish("news", utf8("x")), start, CONNECT_TIMEOUT,
                "a publish without the client certificate");
        assertThat(publish).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("requires a client certificate");
    }

    @Test
    void aClientCertificateFromAnotherAuthorityIsRefusedSayingSo() throws Exception {
        TestCertificates other = TestCertificates.authority(elsewhere.resolve("client-ca"));
        TestCertificates.Issued stranger = other.client("stranger");
        Backplane backplane = open(mutual, mutual.uri("rediss", null, PASSWORD), Map.of(
                "tlsCaFile", mutual.authority().certificate().toString(),
                "tlsCertFile", stranger.chain().toString(), "tlsKeyFile", stranger.key().toString()));
        long start = System.nanoTime();
        Throwable subscribe = failsWithin(backplane.subscribe("news", new Recorder("news", failures, true)), start,
                CONNECT_TIMEOUT, "a subscribe with a client certificate the server does not trust");
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("refused this client's TLS certificate").hasMessageContaining(mutual.address());
    }

    @Test
    void aServerSignedByAnotherAuthorityIsNotTrustedAndSubscribeAndPublishSaySo() throws Exception {
        TestCertificates other = TestCertificates.authority(elsewhere.resolve("server-ca"));
        Backplane backplane = open(tls, tls.uri("rediss", null, PASSWORD), Map.of("tlsCaFile",
                other.certificate().toString()));
        long start = System.nanoTime();
        Throwable subscribe = failsWithin(backplane.subscribe("news", new Recorder("news", failures, true)), start,
                CONNECT_TIMEOUT, "a subscribe to a server the client does not trust");
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("the server's certificate is not trusted").hasMessageContaining(tls.address())
                .hasMessageContaining("tlsCaFile");
        start = System.nanoTime();
        Throwable publish = failsWithin(backplane.publish("news", utf8("x")), start, CONNECT_TIMEOUT,
                "a publish to a server the client does not trust");
        assertThat(publish).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("the server's certificate is not trusted");
    }

    @Test
    void withoutATrustOptionOnlyTheJvmsAuthoritiesAreTrusted() throws Exception {
        Backplane backplane = open(tls, tls.uri("rediss", null, PASSWORD), Map.of());
        long start = System.nanoTime();
        Throwable subscribe = failsWithin(backplane.subscribe("news", new Recorder("news", failures, true)), start,
                CONNECT_TIMEOUT, "a subscribe trusting only the JVM's authorities");
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("the server's certificate is not trusted")
                .hasMessageContaining("only the JVM's default authorities");
    }

    @Test
    void aCertificateForAnotherHostFailsUnlessHostNameVerificationIsOff() throws Exception {
        Backplane backplane = open(otherHost, otherHost.uri("rediss", null, PASSWORD), otherHost.trustOptions());
        long start = System.nanoTime();
        Throwable subscribe = failsWithin(backplane.subscribe("news", new Recorder("news", failures, true)), start,
                CONNECT_TIMEOUT, "a subscribe to a server whose certificate names another host");
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("does not match the host '127.0.0.1'")
                .hasMessageContaining("tlsVerifyHostname=false");
        start = System.nanoTime();
        Throwable publish = failsWithin(backplane.publish("news", utf8("x")), start, CONNECT_TIMEOUT,
                "a publish to a server whose certificate names another host");
        assertThat(publish).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("does not match the host");

        assertRoundTrip(otherHost, otherHost.uri("rediss", null, PASSWORD),
                with(otherHost.trustOptions(), "tlsVerifyHostname", "false"));
    }

    @Test
    void tlsOptionsOnAPlainUriAreRefusedAtTheCall() {
        String ca = tls.authority().certificate().toString();
        assertThatThrownBy(() -> Backplanes.open(URI.create("redis://127.0.0.1:" + tls.port()), Map.of("tlsCaFile", ca)))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("[tlsCaFile]").hasMessageContaining("scheme 'redis' is not a TLS one");
        assertThatThrownBy(() -> Backplanes.open("redis://127.0.0.1:" + tls.port() + "?tlsVerifyHostname=false"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("[tlsVerifyHostname]");
        assertThatThrownBy(() -> Backplanes.open(URI.create("rediss://127.0.0.1:" + tls.port()),
                Map.of("tlsCaFile", elsewhere.resolve("missing.pem").toString())))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("does not exist");
    }

    @Test
    void aPlainUriOnATlsPortFailsWithinTheConnectTimeoutRatherThanHanging() throws Exception {
        Backplane backplane = open(tls, tls.uri("redis", null, PASSWORD), Map.of());
        long start = System.nanoTime();
        Throwable subscribe = failsWithin(backplane.subscribe("news", new Recorder("news", failures, true)), start,
                CONNECT_TIMEOUT.plusSeconds(1), "a subscribe in plain TCP to a TLS port");
        assertThat(subscribe).isInstanceOf(BrokerUnavailableException.class).hasMessageContaining(tls.address());
    }
}
