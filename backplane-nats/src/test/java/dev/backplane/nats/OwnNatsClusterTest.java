package dev.backplane.nats;

import org.junit.jupiter.api.extension.RegisterExtension;

/** Base of the tests that need a NATS cluster of their own ({@link NatsCluster}), one per class. */
abstract class OwnNatsClusterTest {

    @RegisterExtension
    static final OwnCluster OWN = new OwnCluster();

    static NatsCluster cluster() {
        return OWN.get();
    }
}
