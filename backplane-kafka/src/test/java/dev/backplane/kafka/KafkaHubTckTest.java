package dev.backplane.kafka;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BrokerControl;
import dev.backplane.tck.hub.HubTck;

/** The Kafka backplane against the scale-out kit: three hub nodes on a real KRaft broker. */
class KafkaHubTckTest extends HubTck {

    @Override
    protected String backplaneUri() {
        return "kafka://" + SharedBrokers.kafka().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.kafka()::stop, SharedBrokers.kafka()::start);
    }
}
