package dev.backplane.nats;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the tests that need a NATS cluster of their own ({@link NatsCluster}), one per class. */
abstract class OwnNatsClusterTest {

    static NatsCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new NatsCluster();
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }
}
