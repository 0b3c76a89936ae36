package dev.backplane.nats;

import dev.backplane.tck.BrokerControl;
import dev.backplane.tck.hub.HubTck;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Core NATS against the scale-out kit on a cluster of three nats-servers: the hub nodes, each given
 * every server, land on different servers at random, so their sends, groups and presence cross
 * the cluster's routes. S20 stops and starts the whole cluster.
 */
class NatsClusterHubTckTest extends HubTck {

    @RegisterExtension
    static final OwnCluster OWN = new OwnCluster();

    @Override
    protected String backplaneUri() {
        return "nats://" + OWN.get().addresses();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(() -> OWN.get().killAll(), () -> OWN.get().startAll());
    }
}
