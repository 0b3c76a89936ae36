package dev.backplane.nats;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A {@link NatsCluster} of a test class's own: started before its first test, stopped after its last. */
final class OwnCluster implements BeforeAllCallback, AfterAllCallback {

    private NatsCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = new NatsCluster();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
        }
    }

    NatsCluster get() {
        return cluster;
    }
}
