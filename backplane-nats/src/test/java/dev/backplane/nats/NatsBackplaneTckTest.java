package dev.backplane.nats;

import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Core NATS against the whole transport kit, on a real nats-server. */
class NatsBackplaneTckTest extends BackplaneTck {

    private static Broker broker;

    @BeforeAll
    static void startNats() {
        broker = Brokers.nats();
    }

    @AfterAll
    static void stopNats() {
        broker.close();
    }

    @Override
    protected String backplaneUri() {
        return "nats://" + broker.address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(broker::stop, broker::start);
    }
}
