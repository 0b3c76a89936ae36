package dev.backplane.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.brokers.kafka.EmbeddedKafkaBroker;
import dev.backplane.brokers.kafka.KafkaSecurity;
import dev.backplane.fixture.TestCertificates;
import dev.backplane.spi.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kafkas://} against brokers whose only client listener is an SSL one, with certificates
 * made for this run: one that requires client certificates (mutual TLS), and one whose
 * certificate names another host. A broker that cannot be trusted, or that refuses the client,
 * fails the open within {@code connectTimeout} with a message naming the cause.
 */
class KafkaTlsTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    static Path directory;
    private static TestCertificates authority;
    private static TestCertificates.Issued client;
    private static EmbeddedKafkaBroker mutual;
    private static EmbeddedKafkaBroker otherHost;
    private KafkaTestBackplanes kit;

    @BeforeAll
    static void startBrokers() {
        authority = TestCertificates.authority(directory.resolve("ca"));
        client = authority.client("backplane-client");
        mutual = new EmbeddedKafkaBroker(KafkaSecurity.tls(authority.server("kafka"))
                .requireClientCertificates(authority.trustStore()), Map.of());
        otherHost = new EmbeddedKafkaBroker(KafkaSecurity.tls(authority.server("kafka-elsewhere", "elsewhere.example")),
                Map.of());
    }

    @AfterAll
    static void stopBrokers() {
        for (EmbeddedKafkaBroker broker : new EmbeddedKafkaBroker[] {mutual, otherHost}) {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @AfterEach
    void closeKit() {
        if (kit != null) {
            kit.close();
        }
    }

    @Test
    void mutualTlsWithPemFilesCarriesMessagesBothWays() {
        kit = on(mutual);
        kit.assertRoundTrip(kit.open(options(TlsSettings.CA_FILE, authority.certificate(),
                TlsSettings.CERT_FILE, client.certificate(), TlsSettings.KEY_FILE, client.key())));
    }

    @Test
    void mutualTlsWithPkcs12StoresCarriesMessagesWithATopicPerChannel() {
        kit = on(mutual);
        kit.assertRoundTrip(kit.open(options(TlsSettings.TRUST_STORE, authority.trustStore(),
                TlsSettings.TRUST_STORE_PASSWORD, TestCertificates.STORE_PASSWORD,
                TlsSettings.KEY_STORE, client.keyStore(), TlsSettings.KEY_STORE_PASSWORD, TestCertificates.STORE_PASSWORD)
                + "&" + KafkaSettings.TOPIC_PER_CHANNEL + "=true"));
    }

    @Test
    void brokerThatRequiresAClientCertificateFailsTheOpenClearlyWithoutOne() {
        kit = on(mutual);
        Throwable thrown = kit.openingFailure(options(TlsSettings.CA_FILE, authority.certificate()),
                CONNECT_TIMEOUT, "no client certificate for a broker that requires one");
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("refused the client's certificate, or asked for one and got none")
                .hasMessageContaining(TlsSettings.CERT_FILE);
    }

    @Test
    void brokerCertificateFromAnotherAuthorityFailsTheOpenAsNotTrusted() {
        kit = on(mutual);
        TestCertificates wrongAuthority = TestCertificates.authority(directory.resolve("other-ca"));
        Throwable thrown = kit.openingFailure(options(TlsSettings.CA_FILE, wrongAuthority.certificate(),
                TlsSettings.CERT_FILE, client.certificate(), TlsSettings.KEY_FILE, client.key()),
                CONNECT_TIMEOUT, "a CA that did not sign the broker's certificate");
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("the broker's certificate at " + mutual.address() + " is not trusted");
    }

    @Test
    void brokerCertificateForAnotherHostFailsTheOpenNamingTheHost() {
        kit = on(otherHost);
        Throwable thrown = kit.openingFailure(options(TlsSettings.CA_FILE, authority.certificate()),
                CONNECT_TIMEOUT, "a broker certificate for another host");
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("the broker's certificate does not name the host it was reached at ("
                        + otherHost.address() + ")")
                .hasMessageContaining(TlsSettings.VERIFY_HOSTNAME + "=false");
    }

    @Test
    void hostNameCheckTurnedOffTrustsACertificateForAnotherHostOfTheRightAuthority() {
        kit = on(otherHost);
        kit.assertRoundTrip(kit.open(options(TlsSettings.CA_FILE, authority.certificate(),
                TlsSettings.VERIFY_HOSTNAME, "false")));
    }

    private static KafkaTestBackplanes on(EmbeddedKafkaBroker broker) {
        return new KafkaTestBackplanes("kafkas://" + broker.address(), broker.internalAddress());
    }

    private static String options(Object... pairs) {
        return KafkaTestBackplanes.query(CONNECT_TIMEOUT, pairs);
    }
}
