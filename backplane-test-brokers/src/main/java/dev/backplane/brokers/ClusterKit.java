package dev.backplane.brokers;

import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport kit through Redis Cluster: a {@link ClusterRedis} per class (three masters, three
 * replicas), the backplane opened on {@code redis-cluster://} (or the {@link #scheme()} of the
 * subclass) all six nodes. The outage and restart
 * rules stop every node (the replicas first, so that none is promoted) and start them all again
 * from their cluster configuration files. There is no single broker address, so the kit's
 * connection-count rule is skipped.
 */
public abstract class ClusterKit extends BackplaneTck {

    @RegisterExtension
    static final ClusterRedis.PerClass cluster = new ClusterRedis.PerClass();

    /** The URI scheme the backplane is opened with: {@code redis-cluster} unless a subclass says otherwise. */
    protected String scheme() {
        return "redis-cluster";
    }

    @Override
    protected String backplaneUri() {
        return cluster.get().uri(scheme());
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(() -> cluster.get().stopAll(), () -> cluster.get().startAll());
    }

    @Override
    protected Optional<InetSocketAddress> brokerAddress() {
        return Optional.empty();
    }
}
