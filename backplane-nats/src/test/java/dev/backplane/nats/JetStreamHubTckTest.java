package dev.backplane.nats;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BrokerControl;
import dev.backplane.tck.hub.HubTck;

/** JetStream against the scale-out kit: three hub nodes on a real nats-server. */
class JetStreamHubTckTest extends HubTck {

    @Override
    protected String backplaneUri() {
        return "jetstream://" + SharedBrokers.nats().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.nats()::stop, SharedBrokers.nats()::start);
    }
}
