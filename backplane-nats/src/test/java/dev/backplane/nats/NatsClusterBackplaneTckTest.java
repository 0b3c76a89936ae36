package dev.backplane.nats;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Core NATS against the whole transport kit, on a cluster of three nats-servers. */
class NatsClusterBackplaneTckTest extends ClusterKit {

    @Override
    String scheme() {
        return "nats";
    }

    /**
     * Not t12: core NATS completes a subscribe once the subscriber's own server has its interest
     * (a flush); the other servers learn it over the routes a moment later, so a message published
     * through another server right then can miss the new subscription. That is the cluster's
     * semantics (the README says so); JetStream, which reads from the stream, keeps t12.
     */
    @Override
    Set<String> clusterRules() {
        Set<String> rules = new java.util.HashSet<>(CLUSTER_RULES);
        rules.remove("t12");
        return Set.copyOf(rules);
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return Optional.of(Map.of("maxSubscriberBacklog", Integer.toString(messages)));
    }
}
