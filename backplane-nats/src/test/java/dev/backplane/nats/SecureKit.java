package dev.backplane.nats;

import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

/** The transport kit on a {@link SecureKitServer}: its URI, TLS options, control and address. */
abstract class SecureKit extends BackplaneTck {

    /** The server of the subclass, started before its tests. */
    abstract SecureKitServer server();

    @Override
    protected String backplaneUri() {
        return server().uri();
    }

    @Override
    protected Map<String, String> extraOptions() {
        return server().options();
    }

    @Override
    protected BrokerControl brokerControl() {
        return server().control();
    }

    @Override
    protected Optional<InetSocketAddress> brokerAddress() {
        return server().address();
    }
}
