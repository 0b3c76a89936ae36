package dev.backplane.nats;

import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * JetStream against the whole transport kit, on a real nats-server whose JetStream store lives in
 * a directory of its own, so that a restart keeps what was stored.
 */
class JetStreamBackplaneTckTest extends BackplaneTck {

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
        return "jetstream://" + broker.address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(broker::stop, broker::start);
    }
}
