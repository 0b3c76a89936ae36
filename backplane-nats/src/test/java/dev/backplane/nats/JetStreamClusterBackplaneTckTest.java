package dev.backplane.nats;

import java.util.Map;
import java.util.Optional;

/** JetStream with a stream of three replicas against the whole transport kit, on a cluster of three nats-servers. */
class JetStreamClusterBackplaneTckTest extends ClusterKit {

    @Override
    String scheme() {
        return "jetstream";
    }

    @Override
    String options() {
        return "?replicas=3";
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return Optional.of(Map.of("maxMsgsPerSubject", Integer.toString(messages)));
    }
}
