package dev.backplane.nats;

import java.util.Map;
import java.util.Optional;

/** Core NATS against the whole transport kit, on a cluster of three nats-servers. */
class NatsClusterBackplaneTckTest extends ClusterKit {

    @Override
    String scheme() {
        return "nats";
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return Optional.of(Map.of("maxSubscriberBacklog", Integer.toString(messages)));
    }
}
