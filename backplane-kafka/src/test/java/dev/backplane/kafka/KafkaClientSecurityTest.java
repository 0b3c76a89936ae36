package dev.backplane.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.BackplaneConfig;
import dev.backplane.fixture.TestCertificates;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the URI's scheme, user info and options make of the Kafka clients' security properties;
 * none of these needs a broker.
 */
class KafkaClientSecurityTest {

    @TempDir
    static Path directory;

    @Test
    void plainSchemeWithoutCredentialsIsPlaintext() {
        assertThat(security("kafka://127.0.0.1:9").properties()).containsExactly(Map.entry("security.protocol", "PLAINTEXT"));
    }

    @Test
    void tlsSchemeTrustsTheCaFileAsAPemTrustStoreAndChecksTheHostName() {
        TestCertificates ca = TestCertificates.authority(directory.resolve("pem"));
        Map<String, Object> p = security("kafkas://127.0.0.1:9?tlsCaFile=" + encoded(ca.certificate())).properties();
        assertThat(p).containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.truststore.location", ca.certificate().toString())
                .containsEntry("ssl.endpoint.identification.algorithm", "https")
                .doesNotContainKey("ssl.keystore.type");
    }

    @Test
    void storesAreGivenWithTheirTypeAndPasswordAndTheHostNameCheckCanBeTurnedOff() {
        TestCertificates ca = TestCertificates.authority(directory.resolve("stores"));
        TestCertificates.Issued client = ca.client("client");
        Map<String, Object> p = security("kafkas://127.0.0.1:9?tlsTrustStore=" + encoded(ca.trustStore())
                + "&tlsTrustStorePassword=" + TestCertificates.STORE_PASSWORD + "&tlsKeyStore=" + encoded(client.keyStore())
                + "&tlsKeyStorePassword=" + TestCertificates.STORE_PASSWORD + "&tlsVerifyHostname=false").properties();
        assertThat(p).containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.truststore.location", ca.trustStore().toString())
                .containsEntry("ssl.truststore.password", TestCertificates.STORE_PASSWORD)
                .containsEntry("ssl.keystore.type", "PKCS12")
                .containsEntry("ssl.keystore.location", client.keyStore().toString())
                .containsEntry("ssl.keystore.password", TestCertificates.STORE_PASSWORD)
                .containsEntry("ssl.key.password", TestCertificates.STORE_PASSWORD)
                .containsEntry("ssl.endpoint.identification.algorithm", "");
    }

    @Test
    void pemClientCertificateAndKeyGoToAPemKeyStoreByContent() throws Exception {
        TestCertificates ca = TestCertificates.authority(directory.resolve("client-pem"));
        TestCertificates.Issued client = ca.client("client");
        Map<String, Object> p = security("kafkas://127.0.0.1:9?tlsCaFile=" + encoded(ca.certificate())
                + "&tlsCertFile=" + encoded(client.certificate()) + "&tlsKeyFile=" + encoded(client.key())).properties();
        assertThat(p).containsEntry("ssl.keystore.type", "PEM")
                .containsEntry("ssl.keystore.certificate.chain", Files.readString(client.certificate()))
                .containsEntry("ssl.keystore.key", Files.readString(client.key()))
                .doesNotContainKey("ssl.keystore.location");
    }

    @Test
    void userInfoGivesSaslOverTlsWithScramSha512ByDefault() {
        ClientSecurity security = security("kafkas://alice:alice-secret@127.0.0.1:9");
        assertThat(security.properties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(loginOptions(security)).containsEntry("username", "alice").containsEntry("password", "alice-secret");
        assertThat(security.principal()).isEqualTo("SASL user 'alice' (SCRAM-SHA-512)").doesNotContain("secret");
    }

    @Test
    void optionsGiveSaslOverPlaintextWithTheMechanismAsked() {
        ClientSecurity security = security("kafka://127.0.0.1:9?saslUser=bob&saslPassword=pw&saslMechanism=plain");
        assertThat(security.properties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "PLAIN");
        assertThat(security.properties().get("sasl.jaas.config").toString())
                .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required");
    }

    @ParameterizedTest(name = "password {0} reaches the login module as it is")
    @ValueSource(strings = {"quote\"d", "back\\slash", "\\\"both\\\"", "semi;colon = and spaces", "line\nbreak",
            "ends with a backslash\\", "ünïcødé", "%41+"})
    void passwordIsQuotedSoThatKafkasJaasParserReadsItBack(String password) {
        ClientSecurity fromOption = security("kafkas://127.0.0.1:9?saslUser=user&saslPassword="
                + URLEncoder.encode(password, StandardCharsets.UTF_8));
        assertThat(loginOptions(fromOption)).containsEntry("password", password);
        String userInfo = "user:" + URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20");
        ClientSecurity fromUserInfo = security("kafkas://" + userInfo + "@127.0.0.1:9");
        assertThat(loginOptions(fromUserInfo)).containsEntry("password", password);
    }

    @Test
    void saslPasswordIsRedactedFromTheUriInMessages() {
        BackplaneConfig config = BackplaneConfig.of(URI.create("kafkas://127.0.0.1:9?saslUser=u&saslPassword=hidden"),
                Map.of());
        assertThat(config.redactedUri()).doesNotContain("hidden").contains("saslPassword=***");
    }

    private static ClientSecurity security(String uri) {
        return KafkaSettings.of(BackplaneConfig.of(URI.create(uri), Map.of())).security;
    }

    /** The options of the login module, as Kafka's own JAAS parser reads {@code sasl.jaas.config}. */
    private static Map<String, Object> loginOptions(ClientSecurity security) {
        JaasContext parsed = JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG,
                new Password(security.properties().get(SaslConfigs.SASL_JAAS_CONFIG).toString())));
        List<AppConfigurationEntry> entries = parsed.configurationEntries();
        assertThat(entries).hasSize(1);
        return Map.copyOf(entries.get(0).getOptions());
    }

    private static String encoded(Path file) {
        return URLEncoder.encode(file.toString(), StandardCharsets.UTF_8);
    }
}
