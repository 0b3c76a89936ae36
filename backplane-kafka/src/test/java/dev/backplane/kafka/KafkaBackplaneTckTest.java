package dev.backplane.kafka;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.net.InetSocketAddress;
import java.util.Optional;

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

    @Override
    protected Optional<InetSocketAddress> brokerAddress() {
        return Optional.of(new InetSocketAddress(SharedBrokers.kafka().host(), SharedBrokers.kafka().port()));
    }
}
