package dev.backplane.nats;

import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.lang.reflect.Method;
import java.util.Set;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport kit against a three-server NATS cluster of the class's own ({@link NatsCluster}),
 * every instance given all three servers in its URI: the outage and restart rules stop and start
 * the whole cluster. No broker address is given, so the resource rule counts threads but not
 * connections (they are spread over three servers).
 *
 * <p>By default only the rules whose outcome a cluster can change run ({@link #CLUSTER_RULES}):
 * delivery, order and unsubscribing across routes (t01, t04, t07, t13), a subscription active when
 * its future completes, that is when its interest reached the other servers (t12), replay and
 * redelivery from a replicated stream (t21, t23, t26), and subscriptions resuming after the whole
 * cluster restarted (t18: JetStream elects its leaders again). The other rules check arguments,
 * callbacks, naming, flow control and resources, which work the same on one server or three (the
 * single-server kits run them), or stop the broker for the outage rules, which on a cluster only
 * repeats a single server's outage more slowly (the death of one server, the case a cluster is
 * for, is {@link NatsClusterFailoverTest}'s). The whole kit on the cluster takes about 80 s for
 * core NATS and 170 s for JetStream, too long for the default suite;
 * {@code -Dbackplane.natsCluster.fullKit=true} runs every rule.
 */
@ExtendWith(ClusterKit.ClusterRulesOnly.class)
abstract class ClusterKit extends BackplaneTck {

    static final String FULL_KIT = "backplane.natsCluster.fullKit";

    /** The rules run on the cluster by default, by number. */
    static final Set<String> CLUSTER_RULES = Set.of("t01", "t04", "t07", "t12", "t13", "t18", "t21", "t23", "t26");

    @RegisterExtension
    static final OwnCluster OWN = new OwnCluster();

    static NatsCluster cluster() {
        return OWN.get();
    }

    /** The URI's scheme and options after {@code ?}, or "". */
    abstract String scheme();

    String options() {
        return "";
    }

    /** The rules this transport runs on the cluster by default. */
    Set<String> clusterRules() {
        return CLUSTER_RULES;
    }

    @Override
    protected String backplaneUri() {
        return scheme() + "://" + cluster().addresses() + options();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(() -> cluster().killAll(), () -> cluster().startAll());
    }

    /** Leaves out the rules outside {@link #CLUSTER_RULES} unless the full kit was asked for. */
    static final class ClusterRulesOnly implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String rule = context.getTestMethod().map(Method::getName).map(n -> n.substring(0, Math.min(3, n.length())))
                    .orElse(null);
            Set<String> rules = context.getTestInstance().filter(ClusterKit.class::isInstance)
                    .map(kit -> ((ClusterKit) kit).clusterRules()).orElse(CLUSTER_RULES);
            if (rule == null || Boolean.getBoolean(FULL_KIT) || rules.contains(rule)) {
                return ConditionEvaluationResult.enabled("a rule a cluster can break, or the full kit was asked for");
            }
            return ConditionEvaluationResult.disabled("runs the same on one server (the single-server kit runs it); -D"
                    + FULL_KIT + "=true runs it on the cluster");
        }
    }
}
