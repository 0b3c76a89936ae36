package dev.backplane.kafka;

import dev.backplane.brokers.LeaveOutByDefault;
import dev.backplane.brokers.kafka.EmbeddedKafkaBroker;
import dev.backplane.brokers.kafka.KafkaSecurity;
import dev.backplane.fixture.TestCertificates;
import dev.backplane.spi.TlsSettings;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.AfterAll;

/**
 * The whole transport kit over SASL_SSL, as a least-privilege user: the broker's only client
 * listener is SASL_SSL, Kafka's standard authorizer allows nothing without an ACL, and the kit's
 * user has only the topic ACLs of {@link KafkaTenantAcls} on the prefixes the kit uses
 * ({@link #KIT_PREFIXES}). The kit's restart rules stop and start this broker, which keeps its
 * SCRAM users and ACLs in its metadata log.
 */
@LeaveOutByDefault(value = {"t26_", "t28_", "t44_", "t47_", "t51_", "t52_"},
        because = LeaveOutByDefault.SAME_TIMERS_OVER_TLS)
class KafkaSaslSslTckTest extends BackplaneTck {

    /**
     * The starts of every prefix the kit opens backplanes with: its own {@code tck-xxxxxxxx} (and
     * names that extend it, as {@code tck-xxxxxxxx-other}), that in upper case (T03), and T03's
     * longest prefixes that differ in their first character, {@code atck-...} and {@code btck-...}.
     */
    static final List<String> KIT_PREFIXES = List.of("tck-", "TCK-", "atck-", "btck-");

    private static final String USER = "backplane-kit";
    private static final String PASSWORD = "kit-secret\"\\";
    private static EmbeddedKafkaBroker broker;
    private static TestCertificates authority;

    private static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            try {
                authority = TestCertificates.authority(Files.createTempDirectory("backplane-kafka-tck-certificates-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            KafkaSecurity security = KafkaSecurity.tls(authority.server("kafka")).withSaslUser(USER, PASSWORD)
                    .withAuthorizer();
            broker = new EmbeddedKafkaBroker(security, Map.of());
            List<AclBinding> acls = new ArrayList<>();
            KIT_PREFIXES.forEach(prefix -> acls.addAll(KafkaTenantAcls.forPrefix(USER, prefix)));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.internalAddress()))) {
                KafkaTenantAcls.grant(admin, acls, security.clientProperties(broker.address(), USER, "SCRAM-SHA-512"),
                        "tck-probe");
            } catch (Exception e) {
                broker.close();
                broker = null;
                throw new IllegalStateException("could not grant the kit's ACLs", e);
            }
        }
        return broker;
    }

    @AfterAll
    static synchronized void closeBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    @Override
    protected String backplaneUri() {
        return "kafkas://" + broker().address();
    }

    @Override
    protected Map<String, String> extraOptions() {
        broker();
        return Map.of(TlsSettings.CA_FILE, authority.certificate().toString(), SaslLogin.USER, USER,
                SaslLogin.PASSWORD, PASSWORD, SaslLogin.MECHANISM, "SCRAM-SHA-256");
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(broker()::stop, broker()::start);
    }

    @Override
    protected Optional<InetSocketAddress> brokerAddress() {
        return Optional.of(new InetSocketAddress(broker().host(), broker().port()));
    }
}
