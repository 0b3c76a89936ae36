package dev.backplane.nats;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

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

    @Override
    protected Optional<InetSocketAddress> brokerAddress() {
        return Optional.of(new InetSocketAddress(SharedBrokers.nats().host(), SharedBrokers.nats().port()));
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return Optional.of(Map.of("maxMsgsPerSubject", Integer.toString(messages)));
    }
}
