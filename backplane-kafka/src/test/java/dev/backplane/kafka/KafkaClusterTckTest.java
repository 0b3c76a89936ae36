package dev.backplane.kafka;

import dev.backplane.brokers.LeaveOutByDefault;
import dev.backplane.brokers.kafka.KafkaCluster;
import dev.backplane.tck.BrokerControl;
import dev.backplane.tck.ReplayAndAckRules;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The transport kit's rules that a cluster changes, T01-T28 (delivery and order, calls and
 * subscribe, outage and recovery, replay and redelivery), on a three-node {@link KafkaCluster}
 * with every topic replicated three times, {@code min.insync.replicas=2} and one partition. The
 * kit's "broker outage" is the failover of a cluster: {@link BrokerControl#stop()} kills (SIGKILL)
 * the node that leads the test's topic, and {@code start()} brings it back. The rules from T29 on
 * (callbacks, fan-out and naming, resources, restarts of the whole broker, connection events)
 * do not depend on the number of brokers and run against one broker in {@link KafkaBackplaneTckTest}.
 */
@LeaveOutByDefault(value = {"t26_", "t28_"}, because = "acknowledgement timeouts and redelivery are the subscriber's "
        + "own timers, the same code on one broker as on three, which the plain kit runs")
class KafkaClusterTckTest extends ReplayAndAckRules {

    private static KafkaCluster cluster;
    private int killed = -1;

    private static synchronized KafkaCluster cluster() {
        if (cluster == null) {
            cluster = new KafkaCluster();
        }
        return cluster;
    }

    @AfterAll
    static synchronized void closeCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @Override
    protected String backplaneUri() {
        return "kafka://" + cluster().bootstrapServers();
    }

    @Override
    protected Map<String, String> extraOptions() {
        // One partition: every channel of the test lives on the leader the outage rules kill.
        return Map.of(KafkaSettings.REPLICATION_FACTOR, "3", KafkaSettings.MIN_INSYNC_REPLICAS, "2",
                KafkaSettings.PARTITIONS, "1");
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(() -> {
            killed = cluster().leaderOf(prefix(), 0);
            cluster().kill(killed);
        }, () -> {
            if (killed >= 0) {
                cluster().start(killed);
                killed = -1;
            }
        });
    }
}
