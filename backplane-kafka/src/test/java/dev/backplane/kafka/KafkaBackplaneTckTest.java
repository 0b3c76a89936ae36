package dev.backplane.kafka;

import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Kafka backplane, in its default single-topic mapping, against the whole transport kit and a real KRaft broker. */
class KafkaBackplaneTckTest extends BackplaneTck {

    private static Broker broker;

    @BeforeAll
    static void openBroker() {
        broker = Brokers.kafka();
    }

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    protected String backplaneUri() {
        return "kafka://" + broker.address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(broker::stop, broker::start);
    }
}
