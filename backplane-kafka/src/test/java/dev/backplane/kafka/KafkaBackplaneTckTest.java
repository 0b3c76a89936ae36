package dev.backplane.kafka;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;

/** The Kafka backplane, in its default single-topic mapping, against the whole transport kit and a real KRaft broker. */
class KafkaBackplaneTckTest extends BackplaneTck {

    @Override
    protected String backplaneUri() {
        return "kafka://" + SharedBrokers.kafka().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.kafka()::stop, SharedBrokers.kafka()::start);
    }
}
