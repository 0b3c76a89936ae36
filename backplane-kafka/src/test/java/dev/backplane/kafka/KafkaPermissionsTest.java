package dev.backplane.kafka;

import static dev.backplane.kafka.KafkaTestBackplanes.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.brokers.kafka.EmbeddedKafkaBroker;
import dev.backplane.tck.Recorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Missing permissions give errors that name the topic and the permission to grant. The broker is
 * the in-JVM one with Kafka's standard authorizer, which only that fixture can be configured with:
 * every client may do everything except create topics, write to {@value #READ_ONLY} and read
 * {@value #WRITE_ONLY}.
 */
class KafkaPermissionsTest extends KafkaBrokerTest {

    private static final String READ_ONLY = "perm-read-only";
    private static final String WRITE_ONLY = "perm-write-only";
    private static final String ANYONE = "User:ANONYMOUS";


    @BeforeAll
    static void openBroker() throws Exception {
        broker = new EmbeddedKafkaBroker(Map.of(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found", "true"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.address()))) {
            admin.createTopics(List.of(new NewTopic(READ_ONLY, 1, (short) 1), new NewTopic(WRITE_ONLY, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            List<AclBinding> acls = new ArrayList<>();
            acls.add(acl(ResourceType.CLUSTER, "kafka-cluster", AclOperation.ALL, AclPermissionType.ALLOW));
            acls.add(acl(ResourceType.CLUSTER, "kafka-cluster", AclOperation.CREATE, AclPermissionType.DENY));
            acls.add(acl(ResourceType.TOPIC, ResourcePattern.WILDCARD_RESOURCE, AclOperation.ALL, AclPermissionType.ALLOW));
            acls.add(acl(ResourceType.TOPIC, ResourcePattern.WILDCARD_RESOURCE, AclOperation.CREATE, AclPermissionType.DENY));
            acls.add(acl(ResourceType.TOPIC, READ_ONLY, AclOperation.WRITE, AclPermissionType.DENY));
            acls.add(acl(ResourceType.TOPIC, WRITE_ONLY, AclOperation.READ, AclPermissionType.DENY));
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            awaitCreationRefused(admin);
        }
    }

    @Test
    void missingTopicThatMayNotBeCreatedIsAClearErrorAtOpen() {
        String topic = kit.prefix() + "-missing";
        Throwable thrown = catchThrowable(() -> kit.open("topic=" + topic));
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("not allowed to create Kafka topic '" + topic + "'")
                .hasMessageContaining("CREATE")
                .hasMessageContaining("createTopics=false");
    }

    @Test
    void topicThatMayNotBeWrittenFailsEachPublishClearly() {
        Backplane a = kit.open("topic=" + READ_ONLY);
        Throwable thrown = catchThrowable(() -> await(a.publish("news", new byte[] {1})));
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("not allowed to write to Kafka topic '" + READ_ONLY + "'")
                .hasMessageContaining("WRITE");
        Recorder r = kit.subscribe(a, "news");
        assertThat(r.settle()).as("deliveries of a refused publish").isZero();
    }

    @Test
    void topicThatMayNotBeReadFailsSubscribeClearly() {
        Backplane a = kit.open("topic=" + WRITE_ONLY);
        Throwable thrown = catchThrowable(() -> await(a.subscribe("news", new Recorder("news", kit.failures, true))));
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("not allowed to read Kafka topic '" + WRITE_ONLY + "'")
                .hasMessageContaining("READ");
        assertThat(await(a.publish("news", new byte[] {1})).value()).as("offset of a permitted publish").isEqualTo("0");
    }

    private static AclBinding acl(ResourceType type, String name, AclOperation operation, AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                new AccessControlEntry(ANYONE, "*", operation, permission));
    }

    /** ACLs reach the broker's authorizer shortly after they are created: waits until they are in force. */
    private static void awaitCreationRefused(Admin admin) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int probe = 0; System.nanoTime() < deadline; probe++) {
            try {
                // Created: the ACLs are not in force yet.
                admin.createTopics(List.of(new NewTopic("perm-probe-" + probe, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                    return;
                }
            } catch (java.util.concurrent.TimeoutException e) {
                // try again
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the broker's ACLs were not in force within 30s");
    }
}
