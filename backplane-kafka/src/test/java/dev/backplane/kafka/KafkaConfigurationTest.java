package dev.backplane.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.fixture.LoopbackPorts;
import dev.backplane.tck.KitTimeouts;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration the Kafka backplane refuses, and what it says; none of these needs a broker. */
class KafkaConfigurationTest {

    @Test
    void providerIsFoundByItsScheme() {
        assertThat(Backplanes.providers()).anySatisfy(p -> {
            assertThat(p.name()).isEqualTo("kafka");
            assertThat(p.schemes()).containsExactlyInAnyOrder("kafka", "kafkas");
        });
    }

    @Test
    void unknownOptionIsRefusedNamingTheAcceptedOnes() {
        assertThatThrownBy(() -> Backplanes.open("kafka://127.0.0.1:1?partition=3"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("[partition]")
                .hasMessageContaining("partitions")
                .hasMessageContaining("topicPerChannel");
    }

    @ParameterizedTest(name = "{0} means bootstrap servers {1}")
    @CsvSource(delimiter = '|', value = {
            "kafka://broker:9093                   | broker:9093",
            "kafka://broker                        | broker:9092",
            "kafka://b1:1,b2:2,b3?topic=t          | b1:1,b2:2,b3:9092",
            "kafka://10.0.0.7:19092                | 10.0.0.7:19092",
            "kafka://[::1]:9093                    | [::1]:9093",
            "kafka://u:secret@b1:1,b2:2,b3         | b1:1,b2:2,b3:9092",
            "kafkas://u:p%40ss@b1:1,b2:2           | b1:1,b2:2",
    })
    void brokerListIsReadAsBootstrapServers(String uri, String bootstrap) {
        KafkaSettings settings = KafkaSettings.of(BackplaneConfig.of(URI.create(uri.trim()), Map.of()));
        assertThat(settings.bootstrapServers).isEqualTo(bootstrap.trim());
    }

    @ParameterizedTest(name = "{0} is refused naming {1}")
    @CsvSource(delimiter = '|', value = {
            "kafka:no-authority                                | names no broker",
            "kafka://127.0.0.1:99999                           | '99999'",
            "kafka://127.0.0.1:port                            | 'port'",
            "kafka://127.0.0.1:9,                              | ''",
            "kafka://127.0.0.1:9/topic                         | path '/topic'",
            "kafka://user@127.0.0.1:9                          | has no password",
            "kafka://:secret@127.0.0.1:9                       | SASL user",
            "kafka://user@b1:9,b2:9                            | has no password",
            "kafka://:secret@b1:9,b2:9                         | SASL user",
            "kafka://user:secret@b1:9,,b2:9                    | ''",
            "kafka://user:secret@b1:9,b2:port                  | 'port'",
            "kafka://user:secret@b1:9,b2:9?saslUser=u          | both in its user info and as option saslUser",
            "kafka://user:secret@127.0.0.1:9?saslUser=u        | both in its user info and as option saslUser",
            "kafka://127.0.0.1:9?saslUser=u                    | needs option saslPassword",
            "kafka://127.0.0.1:9?saslPassword=secret           | needs option saslUser",
            "kafka://127.0.0.1:9?saslMechanism=PLAIN           | option saslMechanism",
            "kafka://u:secret@127.0.0.1:9?saslMechanism=GSSAPI | [SCRAM-SHA-512, SCRAM-SHA-256, PLAIN]",
            "kafka://127.0.0.1:9?tlsCaFile=/ca.pem             | [tlsCaFile] of kafka://127.0.0.1:9?tlsCaFile=/ca.pem need TLS, which the Kafka backplane speaks with scheme kafkas://",
            "kafka://127.0.0.1:9?tlsVerifyHostname=false       | [tlsVerifyHostname]",
            "kafkas://127.0.0.1:9?tlsCaFile=/no/such/ca.pem    | does not exist",
            "kafka://127.0.0.1:9?topic=a%2Fb                   | option 'topic'",
            "kafka://127.0.0.1:9?topic=..                      | option 'topic'",
            "kafka://127.0.0.1:9?partitions=0                  | option 'partitions'",
            "kafka://127.0.0.1:9?replicationFactor=0           | option 'replicationFactor'",
            "kafka://127.0.0.1:9?replicationFactor=40000       | option 'replicationFactor'",
            "kafka://127.0.0.1:9?minInsyncReplicas=0           | option 'minInsyncReplicas'",
            "kafka://127.0.0.1:9?minInsyncReplicas=two         | option 'minInsyncReplicas'",
            "kafka://127.0.0.1:9?replicationFactor=2&minInsyncReplicas=3 | option 'minInsyncReplicas' (3) in kafka://127.0.0.1:9?replicationFactor=2&minInsyncReplicas=3 exceeds option 'replicationFactor' (2)",
            "kafka://127.0.0.1:9?retention=forever             | option 'retention'",
            "kafka://127.0.0.1:9?createTopics=yes              | option 'createTopics'",
            "kafka://127.0.0.1:9?maxPayload=0                  | option 'maxPayload'",
            "kafka://127.0.0.1:9?maxPayload=40000000           | outboxBytes",
            "kafka://127.0.0.1:9?topicPerChannel=true&topic=t  | option 'topic'",
            "kafka://127.0.0.1:9?topicPerChannel=true&partitions=2 | option 'partitions'",
    })
    void badUriOrOptionIsRefusedBeforeConnecting(String uri, String named) {
        Throwable thrown = catchThrowable(() -> Backplanes.open(uri.trim()));
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class);
        assertThat(thrown.getMessage()).contains(named.trim());
        assertThat(thrown.getMessage()).doesNotContain("secret");
    }

    @Test
    void credentialsBeforeSeveralBrokersLogInToEveryOneOfThemWithoutShowingThePassword() {
        KafkaSettings settings = KafkaSettings.of(BackplaneConfig.of(
                URI.create("kafkas://alice:p%40ss%3Aw%2Bord@b1:9093,b2:9093,b3:9093?saslMechanism=PLAIN"), Map.of()));
        assertThat(settings.bootstrapServers).isEqualTo("b1:9093,b2:9093,b3:9093");
        assertThat(settings.security.protocol()).isEqualTo("SASL_SSL");
        assertThat(settings.security.login()).hasValueSatisfying(login -> {
            assertThat(login.user()).isEqualTo("alice");
            assertThat(login.jaasConfig()).contains("password=\"p@ss:w+ord\"");
        });
        assertThat(settings.config.redactedUri())
                .isEqualTo("kafkas://alice:***@b1:9093,b2:9093,b3:9093?saslMechanism=PLAIN");
    }

    @Test
    void replicationOptionsGoIntoTheTopicsTheBackplaneCreates() {
        KafkaSettings settings = KafkaSettings.of(BackplaneConfig.of(
                URI.create("kafka://b1,b2,b3?replicationFactor=3&minInsyncReplicas=2"), Map.of()));
        assertThat(settings.replicationFactor).contains((short) 3);
        assertThat(settings.minInsyncReplicas).contains(2);
        KafkaSettings defaults = KafkaSettings.of(BackplaneConfig.of(URI.create("kafka://b1,b2,b3"), Map.of()));
        assertThat(defaults.replicationFactor).as("replication factor without the option: the broker's default")
                .isEmpty();
        assertThat(defaults.minInsyncReplicas).as("min.insync.replicas without the option: the broker's").isEmpty();
    }

    @Test
    void wrongPortFailsWithinConnectTimeoutNamingTheAddress() {
        int port = LoopbackPorts.freePort();
        assertOpeningFailsInBoundedTime("kafka://127.0.0.1:" + port + "?connectTimeout=1s", "127.0.0.1:" + port);
    }

    @Test
    void wrongHostFailsWithinConnectTimeoutNamingTheAddress() {
        // Another loopback address, where nothing listens: a wrong host without asking a name server.
        int port = LoopbackPorts.freePort();
        assertOpeningFailsInBoundedTime("kafka://127.0.0.2:" + port + "?connectTimeout=1s", "127.0.0.2:" + port);
    }

    @Test
    void wrongPortFailsInBoundedTimeWithATopicPerChannelToo() {
        int port = LoopbackPorts.freePort();
        assertOpeningFailsInBoundedTime("kafka://127.0.0.1:" + port + "?connectTimeout=1s&topicPerChannel=true",
                "127.0.0.1:" + port);
    }

    private static void assertOpeningFailsInBoundedTime(String uri, String address) {
        long start = System.nanoTime();
        Throwable thrown = catchThrowable(() -> Backplanes.open(uri).close());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(thrown).isInstanceOf(BrokerUnavailableException.class);
        assertThat(thrown.getMessage()).contains(address).contains("check that a broker runs there");
        assertThat(took).as("time to report an unreachable broker with connectTimeout=1s")
                .isLessThan(Duration.ofSeconds(1).plus(KitTimeouts.grace()));
    }
}
