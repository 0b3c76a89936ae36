package dev.backplane.brokers.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.fixture.TestCertificates;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker process whose client listener is SASL_SSL: its users log in with every mechanism,
 * also after a kill and a restart (SCRAM credentials live in the metadata log); the internal
 * listener answers PLAINTEXT clients; a PLAINTEXT client of the client listener gets nowhere.
 */
class KafkaSecurityTest {

    @TempDir
    Path directory;

    @Test
    void saslSslBrokerProcessKeepsItsUsersAcrossAKillAndServesPlaintextOnlyInternally() throws Exception {
        TestCertificates ca = TestCertificates.authority(directory);
        KafkaSecurity security = KafkaSecurity.tls(ca.server("kafka")).withSaslUser("alice", "a\"li\\ce");
        try (KafkaBrokerProcess broker = KafkaBrokers.process(security)) {
            assertThat(security.protocol()).isEqualTo("SASL_SSL");
            assertThat(broker.internalAddress()).isNotEqualTo(broker.address());
            assertLogsIn(security, broker, "PLAIN");
            broker.kill();
            broker.start();
            for (String mechanism : KafkaSecurity.SASL_MECHANISMS) {
                assertLogsIn(security, broker, mechanism);
            }
            TopicRoundTrip.create(broker.internalAddress(), "internal");
            Throwable plaintext = catchThrowable(() -> describeCluster(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.address(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000)));
            assertThat(plaintext).as("a PLAINTEXT client of the SASL_SSL listener").isNotNull();
        }
    }

    private static void assertLogsIn(KafkaSecurity security, KafkaBrokerProcess broker, String mechanism) throws Exception {
        assertThat(describeCluster(security.clientProperties(broker.address(), "alice", mechanism)))
                .as("nodes seen by alice with %s", mechanism).isEqualTo(1);
    }

    private static int describeCluster(Map<String, Object> client) throws ExecutionException, InterruptedException,
            java.util.concurrent.TimeoutException {
        try (Admin admin = Admin.create(client)) {
            return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        }
    }
}
