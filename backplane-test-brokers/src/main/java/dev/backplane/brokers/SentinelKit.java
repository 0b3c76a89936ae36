package dev.backplane.brokers;

import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport kit through Redis Sentinel: a {@link SentinelRedis} per class (a master, one
 * replica, three sentinels), the backplane opened on {@link #scheme()}{@code ://} its sentinels.
 * The outage and restart rules stop both servers (the replica first: the sentinels stay, and
 * cannot fail over with no replica up) and start them again (the replica last, once the sentinels
 * see the master up, so that they never promote it); the kit counts connections to the master.
 */
public abstract class SentinelKit extends BackplaneTck {

    @RegisterExtension
    static final SentinelRedis.PerClass deployment = new SentinelRedis.PerClass();

    /** The URI scheme of the transport under test, e.g. {@code redis-sentinel}. */
    protected abstract String scheme();

    @Override
    protected String backplaneUri() {
        return deployment.get().uri(scheme());
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(() -> deployment.get().stopServers(), () -> deployment.get().startServers());
    }

    @Override
    protected Optional<InetSocketAddress> brokerAddress() {
        return Optional.of(deployment.get().masterSocketAddress());
    }
}
