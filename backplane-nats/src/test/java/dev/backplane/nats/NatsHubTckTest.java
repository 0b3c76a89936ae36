package dev.backplane.nats;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BrokerControl;
import dev.backplane.tck.hub.HubTck;

/** Core NATS against the scale-out kit: three hub nodes on a real nats-server. */
class NatsHubTckTest extends HubTck {

    @Override
    protected String backplaneUri() {
        return "nats://" + SharedBrokers.nats().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.nats()::stop, SharedBrokers.nats()::start);
    }
}
