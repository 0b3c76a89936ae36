package dev.backplane.kafka;

import static dev.backplane.kafka.KafkaTestBackplanes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Position;
import dev.backplane.brokers.kafka.EmbeddedKafkaBroker;
import dev.backplane.brokers.kafka.KafkaSecurity;
import dev.backplane.fixture.TestCertificates;
import dev.backplane.spi.TlsSettings;
import dev.backplane.tck.Recorder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SASL over TLS against a broker whose only client listener is SASL_SSL, with Kafka's standard
 * authorizer allowing nothing without an ACL: every mechanism logs in, a wrong password fails
 * the open at once naming the user, and a user with the least-privilege ACLs of its prefix
 * ({@link KafkaTenantAcls}) works under that prefix and is refused, clearly, under another's.
 */
class KafkaSaslTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final String ALICE = "alice";
    private static final String BOB = "bob";
    private static final String QUOTER = "quoter";
    private static final String QUOTER_PASSWORD = "q\"uo\\te; x=\"1\" \\";
    private static final Map<String, String> PASSWORDS = Map.of(ALICE, "alice-secret", BOB, "bob-secret",
            QUOTER, QUOTER_PASSWORD);
    /** Each user's prefixes start with this and its name: the ACLs of alice cover "tenant-alice...". */
    private static final String TENANT = "tenant-";

    @TempDir
    static Path directory;
    private static TestCertificates authority;
    private static EmbeddedKafkaBroker broker;
    private final List<KafkaTestBackplanes> kits = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws Exception {
        authority = TestCertificates.authority(directory);
        KafkaSecurity security = KafkaSecurity.tls(authority.server("kafka")).withAuthorizer();
        for (Map.Entry<String, String> user : PASSWORDS.entrySet()) {
            security = security.withSaslUser(user.getKey(), user.getValue());
        }
        broker = new EmbeddedKafkaBroker(security, Map.of());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.internalAddress()))) {
            for (String user : PASSWORDS.keySet()) {
                KafkaTenantAcls.grant(admin, KafkaTenantAcls.forPrefix(user, TENANT + user),
                        security.clientProperties(broker.address(), user, "SCRAM-SHA-512"), TENANT + user + "-probe");
            }
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeKits() {
        kits.forEach(KafkaTestBackplanes::close);
    }

    @ParameterizedTest(name = "{0} logs in with the credentials of the URI''s user info and carries messages")
    @ValueSource(strings = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
    void eachMechanismLogsInWithTheUserInfoAndCarriesMessages(String mechanism) {
        KafkaTestBackplanes kit = kit(ALICE, PASSWORDS.get(ALICE), tenantPrefix(ALICE));
        kit.assertRoundTrip(kit.open(query(SaslLogin.MECHANISM, mechanism)));
    }

    @ParameterizedTest(name = "{0}: a password with quotes, backslashes and semicolons, given as option, logs in")
    @ValueSource(strings = {"PLAIN", "SCRAM-SHA-512"})
    void passwordWithQuotesAndBackslashesLogsInFromTheOptions(String mechanism) {
        KafkaTestBackplanes kit = kit(null, null, tenantPrefix(QUOTER));
        kit.assertRoundTrip(kit.open(query(SaslLogin.MECHANISM, mechanism, SaslLogin.USER, QUOTER,
                SaslLogin.PASSWORD, QUOTER_PASSWORD)));
    }

    @ParameterizedTest(name = "{0}: a wrong password fails the open within connectTimeout naming the user")
    @ValueSource(strings = {"PLAIN", "SCRAM-SHA-256"})
    void wrongPasswordFailsTheOpenAtOnceNamingAnAuthenticationFailureOfTheUser(String mechanism) {
        KafkaTestBackplanes kit = kit(ALICE, "not-alices-password", tenantPrefix(ALICE));
        Throwable thrown = kit.openingFailure(query(SaslLogin.MECHANISM, mechanism), CONNECT_TIMEOUT,
                "a wrong " + mechanism + " password");
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("refused the login of SASL user 'alice' (" + mechanism + "): authentication failed")
                .hasMessageContaining("SaslAuthenticationException")
                .hasMessageNotContaining("not-alices-password");
    }

    @Test
    void userWithTheAclsOfItsPrefixWorksFullyUnderItWithATopicPerChannelAndReplay() {
        KafkaTestBackplanes kit = kit(ALICE, PASSWORDS.get(ALICE), tenantPrefix(ALICE));
        Backplane a = kit.open(query(KafkaSettings.TOPIC_PER_CHANNEL, "true"));
        kit.assertRoundTrip(a);
        Position first = KafkaTestBackplanes.publish(a, "replayed", "one");
        KafkaTestBackplanes.publish(a, "replayed", "two");
        Recorder replay = kit.subscribe(kit.open(query(KafkaSettings.TOPIC_PER_CHANNEL, "true")), "replayed", first);
        replay.awaitCount(1, "the replay after the first message");
        assertThat(replay.texts()).containsExactly("two");
    }

    @Test
    void userIsRefusedTheSharedTopicOfAnotherPrefixAtOpenNamingTheAuthorizationFailure() {
        KafkaTestBackplanes kit = kit(ALICE, PASSWORDS.get(ALICE), tenantPrefix(BOB));
        Throwable thrown = kit.openingFailure(query(), CONNECT_TIMEOUT, "alice opening bob's prefix");
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("not allowed to look up Kafka topic '" + kit.prefix() + "'")
                .hasMessageContaining("as SASL user 'alice'")
                .hasMessageContaining("TopicAuthorizationException");
    }

    @Test
    void userIsRefusedPublishAndSubscribeUnderAnotherPrefixAndNeverSeesItsMessages() {
        KafkaTestBackplanes bobs = kit(BOB, PASSWORDS.get(BOB), tenantPrefix(BOB));
        Backplane bob = bobs.open(query(KafkaSettings.TOPIC_PER_CHANNEL, "true"));
        Recorder bobsOwn = bobs.subscribe(bob, "news");
        KafkaTestBackplanes.publish(bob, "news", "for bob's tenant only");
        bobsOwn.awaitCount(1, "bob's message to his own subscription");

        // alice names bob's prefix: opening a topic-per-channel backplane needs no topic, each channel's topic is refused
        KafkaTestBackplanes alices = kit(ALICE, PASSWORDS.get(ALICE), bobs.prefix());
        Backplane alice = alices.open(query(KafkaSettings.TOPIC_PER_CHANNEL, "true"));
        Recorder leak = new Recorder("news", alices.failures, true);
        Throwable subscribing = catchThrowable(() -> await(alice.subscribe("news", Position.EARLIEST, leak)));
        Throwable publishing = catchThrowable(() -> await(alice.publish("news", "from alice".getBytes(
                StandardCharsets.UTF_8))));
        for (Throwable refused : List.of(subscribing, publishing)) {
            assertThat(refused).isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("Kafka topic '" + bobs.prefix() + ".news'")
                    .hasMessageContaining("as SASL user 'alice'")
                    .hasMessageContaining("TopicAuthorizationException");
        }
        assertThat(leak.settle()).as("bob's messages delivered to alice").isZero();
        assertThat(bobsOwn.settle()).as("messages on bob's subscription").isEqualTo(1);
    }

    /** Backplanes of {@code user} (in the user info; none if null) on {@code prefix}. */
    private KafkaTestBackplanes kit(String user, String password, String prefix) {
        String userInfo = user == null ? ""
                : user + ":" + URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20") + "@";
        KafkaTestBackplanes kit = new KafkaTestBackplanes("kafkas://" + userInfo + broker.address(),
                broker.internalAddress(), prefix);
        kits.add(kit);
        return kit;
    }

    /** A prefix of {@code user}'s tenant, new for each test. */
    private static String tenantPrefix(String user) {
        return KafkaTestBackplanes.uniquePrefix(TENANT + user);
    }

    /** {@code connectTimeout}, {@code tlsCaFile} and the options given as name, value pairs. */
    private static String query(String... pairs) {
        List<Object> all = new ArrayList<>(List.of(TlsSettings.CA_FILE, authority.certificate()));
        all.addAll(List.of(pairs));
        return KafkaTestBackplanes.query(CONNECT_TIMEOUT, all.toArray());
    }
}
