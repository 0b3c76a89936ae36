package dev.backplane.brokers;

import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport kit through Redis Cluster: a {@link ClusterRedis} per class (three masters, three
 * replicas), the backplane opened on {@code redis-cluster://} all six nodes. There is no broker
 * control (a cluster is not stopped and started as one server) and no single broker address, so
 * the kit's outage, restart and connection-count rules are skipped.
 */
public abstract class ClusterKit extends BackplaneTck {

    @RegisterExtension
    static final ClusterRedis.PerClass cluster = new ClusterRedis.PerClass();

    @Override
    protected String backplaneUri() {
        return cluster.get().uri();
    }

    @Override
    protected BrokerControl brokerControl() {
        Runnable refuse = () -> {
            throw new UnsupportedOperationException("a Redis Cluster is not stopped as one server");
        };
        return BrokerControl.of(refuse, refuse);
    }

    @Override
    protected Optional<InetSocketAddress> brokerAddress() {
        return Optional.empty();
    }
}
