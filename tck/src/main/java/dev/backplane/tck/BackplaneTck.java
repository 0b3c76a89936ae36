package dev.backplane.tck;

import dev.backplane.Backplanes;
import java.net.URI;
import java.util.Map;

/**
 * The transport rules of {@code CONTRACT.md}, as tests any backplane can run.
 *
 * <p>To run it, extend this class in a test of your own and say where your backplane is and how
 * to stop and start its broker:
 *
 * <pre>{@code
 * class MyBackplaneTckTest extends BackplaneTck {
 *     static Broker broker = ...;                          // a real broker the test owns
 *     protected String backplaneUri() { return "my://" + broker.address(); }
 *     protected BrokerControl brokerControl() { return BrokerControl.of(broker::stop, broker::start); }
 * }
 * }</pre>
 *
 * <p>The kit opens every backplane with {@link Backplanes#open(URI, Map)}, so your provider must be
 * registered for {@link java.util.ServiceLoader}. Each test gets a prefix of its own, so tests never
 * see each other's messages even on a shared broker. The capabilities your backplane declares decide
 * which optional rules run; a rule whose capability is not declared is skipped with a message
 * naming it. Required rules cannot be switched off. Timeouts scale with
 * {@value KitTimeouts#SCALE_VARIABLE}.
 *
 * <p>The rules are grouped by theme in the classes this one extends, each test named after its
 * rule id ({@code t01_...}) and displayed with it ({@code T01 ...}):
 * <ul>
 *   <li>{@link DeliveryRules} T01-T08: fan-out, isolation, order, payloads, concurrency;
 *   <li>{@link CallRules} T09-T16: refused arguments, subscribe and unsubscribe, publish
 *       acknowledgement, throwing subscribers, close;
 *   <li>{@link OutageRules} T17-T20: publishing during an outage, recovery, gaps, no loss;
 *   <li>{@link ReplayAndAckRules} T21-T28: replay from a position and acknowledgement;
 *   <li>{@link CallbackAndFlowRules} T29-T34: callbacks that publish or block, flow control per
 *       subscription, replay from beyond the end;
 *   <li>{@link FanOutAndNamingRules} T35-T39: wide fan-out, order across channels, escaped names,
 *       history per prefix, identical payloads;
 *   <li>{@link UnsubscribeAndResourceRules} T40-T42: closing during a call, resubscribing at once,
 *       threads and connections;
 *   <li>{@link RestartRules} T43-T45: no repeats after a restart, long outages, publishes caught
 *       by the stop;
 *   <li>{@link GapAndReplayRules} T46-T50: gaps for lost history, replay from the newest position,
 *       one subscriber in two subscriptions, late acknowledgements;
 *   <li>{@link OperationsRules} T51-T52: connection events and health across a broker restart.
 * </ul>
 *
 * <p>Optional hooks give the kit more to check: {@link #limitedRetention(int)} (T46, T47) and
 * {@link #brokerAddress()} (T42).
 */
public abstract class BackplaneTck extends OperationsRules {
}
