package dev.backplane.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.fixture.HandshakeServer;
import dev.backplane.fixture.TestCertificates;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSettingsTest {

    @TempDir
    Path dir;
    TestCertificates ca;
    TestCertificates.Issued server;
    TestCertificates.Issued client;

    @BeforeEach
    void certificates() {
        ca = TestCertificates.authority(dir.resolve("ca"));
        server = ca.server("server");
        client = ca.client("client");
    }

    @Test
    void aPemCaAndPemClientKeyCompleteAMutualHandshake() throws Exception {
        TlsSettings tls = settings(Map.of(TlsSettings.CA_FILE, ca.certificate().toString(),
                TlsSettings.CERT_FILE, client.chain().toString(), TlsSettings.KEY_FILE, client.key().toString()));
        assertThat(handshake(tls, server, "localhost")).isEqualTo("CN=client");
    }

    @Test
    void storesCompleteAMutualHandshake() throws Exception {
        TlsSettings tls = settings(Map.of(TlsSettings.TRUST_STORE, ca.trustStore().toString(),
                TlsSettings.TRUST_STORE_PASSWORD, TestCertificates.STORE_PASSWORD,
                TlsSettings.KEY_STORE, client.keyStore().toString(),
                TlsSettings.KEY_STORE_PASSWORD, TestCertificates.STORE_PASSWORD));
        assertThat(handshake(tls, server, "localhost")).isEqualTo("CN=client");
    }

    @Test
    void aServerOfAnotherAuthorityIsNotTrusted() {
        TestCertificates other = TestCertificates.authority(dir.resolve("other"));
        TlsSettings tls = settings(Map.of(TlsSettings.CA_FILE, other.certificate().toString(),
                TlsSettings.CERT_FILE, client.chain().toString(), TlsSettings.KEY_FILE, client.key().toString()));
        assertThatThrownBy(() -> handshake(tls, server, "localhost")).satisfies(e ->
                assertThat(TlsSettings.isHandshakeFailure(e)).as("a handshake failure: %s", e).isTrue());
    }

    @Test
    void theHostNameIsVerifiedUnlessTurnedOff() throws Exception {
        TestCertificates.Issued elsewhere = ca.server("elsewhere", "elsewhere.invalid");
        Map<String, String> options = new HashMap<>(Map.of(TlsSettings.CA_FILE, ca.certificate().toString(),
                TlsSettings.CERT_FILE, client.chain().toString(), TlsSettings.KEY_FILE, client.key().toString()));
        TlsSettings verifying = settings(options);
        assertThat(verifying.verifyHostname()).isTrue();
        assertThatThrownBy(() -> handshake(verifying, elsewhere, "localhost")).satisfies(e ->
                assertThat(TlsSettings.isHandshakeFailure(e)).as("a handshake failure: %s", e).isTrue());
        options.put(TlsSettings.VERIFY_HOSTNAME, "false");
        assertThat(handshake(settings(options), elsewhere, "localhost")).isEqualTo("CN=client");
    }

    @Test
    void aTlsOptionWithoutTlsIsRefusedNamingIt() {
        BackplaneConfig config = BackplaneConfig.of(URI.create("redis://h:1?tlsCaFile=" + ca.certificate()), Map.of());
        assertThatThrownBy(() -> TlsSettings.from(config, false)).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("[tlsCaFile]").hasMessageContaining("scheme 'redis' is not a TLS one");
    }

    @Test
    void aMissingFileIsRefusedAtTheCall() {
        assertThatThrownBy(() -> settings(Map.of(TlsSettings.CA_FILE, dir.resolve("nope.pem").toString())))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'tlsCaFile'").hasMessageContaining("does not exist");
    }

    @Test
    void aValueThatIsNoFileNameIsRefusedAtTheCall() {
        assertThatThrownBy(() -> settings(Map.of(TlsSettings.CA_FILE, "ca\u0000.pem")))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'tlsCaFile'").hasMessageContaining("is not a file name");
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() {
        assertThatThrownBy(() -> settings(Map.of(TlsSettings.CERT_FILE, client.chain().toString())))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("needs both tlsCertFile and tlsKeyFile");
    }

    @Test
    void aKeyFileThatHoldsACertificateIsRefusedSayingWhatItExpects() {
        assertThatThrownBy(() -> settings(Map.of(TlsSettings.CERT_FILE, client.chain().toString(),
                TlsSettings.KEY_FILE, client.certificate().toString())))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("PKCS#8");
    }

    @Test
    void aWrongStorePasswordIsRefusedAtTheCall() {
        assertThatThrownBy(() -> settings(Map.of(TlsSettings.TRUST_STORE, ca.trustStore().toString(),
                TlsSettings.TRUST_STORE_PASSWORD, "wrong")))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("option 'tlsTrustStore'")
                .hasMessageNotContaining("wrong");
    }

    @Test
    void aCaFileThatIsNoCertificateIsRefused() throws Exception {
        Path notPem = Files.writeString(dir.resolve("x.pem"), "hello");
        assertThatThrownBy(() -> settings(Map.of(TlsSettings.CA_FILE, notPem.toString())))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("option 'tlsCaFile'");
    }

    private static TlsSettings settings(Map<String, String> options) {
        return TlsSettings.from(BackplaneConfig.of(URI.create("rediss://localhost:1"), options), true);
    }

    /** The client side made from {@code tls}; a JDK server that needs a client certificate from {@link #ca}. */
    private String handshake(TlsSettings tls, TestCertificates.Issued serverCertificate, String host) throws Exception {
        try (HandshakeServer listening = HandshakeServer.start(ca.context(serverCertificate));
                SSLSocket s = (SSLSocket) tls.context().getSocketFactory().createSocket(host, listening.port())) {
            s.setSoTimeout(10_000);
            s.setSSLParameters(tls.parameters());
            s.startHandshake();
            s.getInputStream().read();
            return listening.client();
        }
    }
}
