package dev.backplane.nats;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;

/** Core NATS against the whole transport kit, on a real nats-server. */
class NatsBackplaneTckTest extends BackplaneTck {

    @Override
    protected String backplaneUri() {
        return "nats://" + SharedBrokers.nats().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.nats()::stop, SharedBrokers.nats()::start);
    }
}
