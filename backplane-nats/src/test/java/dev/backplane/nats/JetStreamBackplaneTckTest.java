package dev.backplane.nats;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;

/** JetStream against the whole transport kit, on a real nats-server. */
class JetStreamBackplaneTckTest extends BackplaneTck {

    @Override
    protected String backplaneUri() {
        return "jetstream://" + SharedBrokers.nats().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.nats()::stop, SharedBrokers.nats()::start);
    }
}
