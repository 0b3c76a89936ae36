package dev.backplane.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACLs of a backplane user, as the module's README lists them: on the topics
 * whose names start with the user's prefix (a PREFIXED pattern, which covers the shared topic
 * {@code p} and the topics {@code p.channel} of a topic per channel), DESCRIBE, READ, WRITE,
 * CREATE and DESCRIBE_CONFIGS. Nothing on the cluster (the idempotent producer needs WRITE on
 * some topic, not IDEMPOTENT_WRITE), no group, no transactional id.
 */
final class KafkaTenantAcls {

    static final List<AclOperation> TOPIC_OPERATIONS = List.of(AclOperation.DESCRIBE, AclOperation.READ,
            AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE_CONFIGS);

    private KafkaTenantAcls() {
    }

    /** What {@code User:user} needs to run backplanes whose topics start with {@code topicPrefix}. */
    static List<AclBinding> forPrefix(String user, String topicPrefix) {
        List<AclBinding> acls = new ArrayList<>();
        for (AclOperation operation : TOPIC_OPERATIONS) {
            acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, topicPrefix, PatternType.PREFIXED),
                    new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
        }
        return acls;
    }

    /**
     * Creates {@code acls} with {@code superUser} and returns once they are in force for the
     * client {@code user} (the broker's authorizer applies them a moment after it stored them):
     * that client may describe {@code probeTopic}, which does not exist.
     */
    static void grant(Admin superUser, Collection<AclBinding> acls, Map<String, Object> user, String probeTopic)
            throws Exception {
        superUser.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Admin admin = Admin.create(user)) {
            while (true) {
                try {
                    admin.describeTopics(List.of(probeTopic)).allTopicNames().get(10, TimeUnit.SECONDS);
                    throw new IllegalStateException("probe topic " + probeTopic + " exists");
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        return; // allowed to describe it: the ACLs are in force
                    }
                } catch (TimeoutException e) {
                    // try again
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the ACLs " + acls + " were not in force within 30 s");
                }
                Thread.sleep(50);
            }
        }
    }
}
