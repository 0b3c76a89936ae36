package dev.backplane.nats;

import static dev.backplane.nats.SecureChecks.assertRoundTrip;
import static dev.backplane.nats.SecureChecks.openFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.brokers.SecureNats;
import dev.backplane.fixture.TestCertificates;
import dev.backplane.spi.TlsSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both transports against TLS-only nats-servers: server verification and host name checks
 * on by default, mutual TLS, and failures that name their cause within the connect timeout.
 */
class NatsTlsTest {

    private static SecureNats server;
    private static SecureNats mutual;
    private static SecureNats otherName;
    private final Opened opened = new Opened();

    @BeforeAll
    static void startServers() {
        server = SecureNats.builder().start();
        mutual = SecureNats.builder().verifyClients(true).start();
        otherName = SecureNats.builder().serverHosts("nats.other.example").start();
    }

    @AfterAll
    static void stopServers() {
        for (SecureNats s : new SecureNats[] {server, mutual, otherName}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @AfterEach
    void closeBackplanes() {
        opened.close();
    }

    private static Map<String, String> trusting(SecureNats nats) {
        return Map.of(TlsSettings.CA_FILE, nats.authority().certificate().toString(),
                "connectTimeout", SecureChecks.CONNECT_TIMEOUT.toMillis() + "ms");
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        java.util.HashMap<String, String> all = new java.util.HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            all.put(pairs[i], pairs[i + 1]);
        }
        return all;
    }

    @Test
    void coreNatsRoundTripsOverTlsWithTheHostNameChecked() {
        assertRoundTrip(opened, "tls://" + server.address(), trusting(server));
        assertRoundTrip(opened, "tls://localhost:" + server.port(), trusting(server));
    }

    @Test
    void jetStreamRoundTripsOverTlsWithJetstreamsOrTlsAndTheProviderOption() {
        assertRoundTrip(opened, "jetstreams://" + server.address(), trusting(server));
        assertRoundTrip(opened, "tls://" + server.address() + "?provider=jetstream", with(trusting(server), "prefix",
                opened.prefix() + "-viatls"));
        assertThat(opened.open("jetstreams://" + server.address(), trusting(server)).capabilities().transport())
                .isEqualTo("jetstream");
    }

    @Test
    void mutualTlsWorksWithAClientCertificateAsPemFilesOrAKeyStore() {
        TestCertificates.Issued client = mutual.authority().client("backplane-client");
        assertRoundTrip(opened, "tls://" + mutual.address(), with(trusting(mutual),
                TlsSettings.CERT_FILE, client.chain().toString(), TlsSettings.KEY_FILE, client.key().toString()));
        assertRoundTrip(opened, "jetstreams://" + mutual.address(), with(trusting(mutual),
                TlsSettings.KEY_STORE, client.keyStore().toString(),
                TlsSettings.KEY_STORE_PASSWORD, TestCertificates.STORE_PASSWORD));
    }

    @Test
    void mutualTlsWithoutAClientCertificateFailsSayingTheServerWantsOne() {
        for (String scheme : new String[] {"tls", "jetstreams"}) {
            Throwable failure = openFailure(opened, scheme + "://" + mutual.address(), trusting(mutual));
            assertThat(failure).isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("refused the client's certificate, or needs one")
                    .hasMessageContaining(TlsSettings.CERT_FILE);
        }
    }

    @Test
    void aClientCertificateOfAnotherAuthorityIsRefused(@TempDir Path dir) {
        TestCertificates.Issued stranger = TestCertificates.authority(dir).client("stranger");
        Throwable failure = openFailure(opened, "tls://" + mutual.address(), with(trusting(mutual),
                TlsSettings.KEY_STORE, stranger.keyStore().toString(),
                TlsSettings.KEY_STORE_PASSWORD, TestCertificates.STORE_PASSWORD));
        assertThat(failure).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("refused the client's certificate");
    }

    @Test
    void aServerCertificateOfAnotherAuthorityFailsWithinTheConnectTimeoutSayingItIsNotTrusted(@TempDir Path dir) {
        TestCertificates wrongCa = TestCertificates.authority(dir);
        for (String scheme : new String[] {"tls", "jetstreams"}) {
            Throwable failure = openFailure(opened, scheme + "://" + server.address(),
                    Map.of(TlsSettings.CA_FILE, wrongCa.certificate().toString(),
                            "connectTimeout", SecureChecks.CONNECT_TIMEOUT.toMillis() + "ms"));
            assertThat(failure).isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("the server's certificate is not trusted")
                    .hasMessageContaining(TlsSettings.CA_FILE);
        }
    }

    @Test
    void theJvmsAuthoritiesDoNotTrustATestAuthority() {
        Throwable failure = openFailure(opened, "tls://" + server.address(),
                Map.of("connectTimeout", SecureChecks.CONNECT_TIMEOUT.toMillis() + "ms"));
        assertThat(failure).hasMessageContaining("the server's certificate is not trusted");
    }

    @Test
    void aCertificateForAnotherHostFailsWithinTheConnectTimeoutSayingItDoesNotNameTheHost() {
        for (String scheme : new String[] {"tls", "jetstreams"}) {
            Throwable failure = openFailure(opened, scheme + "://" + otherName.address(), trusting(otherName));
            assertThat(failure).isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("the server's certificate does not name the host")
                    .hasMessageContaining("tlsVerifyHostname=false");
        }
    }

    @Test
    void tlsVerifyHostnameFalseAcceptsACertificateForAnotherHostFromATrustedAuthority() {
        assertRoundTrip(opened, "tls://" + otherName.address(),
                with(trusting(otherName), TlsSettings.VERIFY_HOSTNAME, "false"));
    }

    @Test
    void aPlainUriToATlsOnlyServerSaysTheServerRequiresTls() {
        Throwable failure = openFailure(opened, "nats://" + server.address(),
                Map.of("connectTimeout", SecureChecks.CONNECT_TIMEOUT.toMillis() + "ms"));
        assertThat(failure).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("the server requires TLS").hasMessageContaining("jetstreams://");
    }

    @Test
    void tlsOptionsOnAPlainSchemeAreRefusedAtTheCall() {
        for (String scheme : new String[] {"nats", "jetstream"}) {
            assertThatThrownBy(() -> opened.open(scheme + "://" + server.address(), trusting(server)))
                    .isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining(TlsSettings.CA_FILE).hasMessageContaining("need TLS");
        }
    }

    @Test
    void aTlsOptionIsRefusedSayingTheSchemeChoosesTls() {
        assertThatThrownBy(() -> opened.open("jetstream://" + server.address() + "?tls=true"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("jetstreams://host:port");
    }
}
