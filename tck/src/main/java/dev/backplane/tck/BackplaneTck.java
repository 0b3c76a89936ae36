package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Backplanes;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Position;
import dev.backplane.Subscription;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

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
 */
public abstract class BackplaneTck {

    /** The URI of the backplane under test; the kit adds prefix and timeout options to it. */
    protected abstract String backplaneUri();

    /** Stops and starts the broker behind {@link #backplaneUri()}, for the outage rules. */
    protected abstract BrokerControl brokerControl();

    /** Extra options for every backplane the kit opens; none by default. */
    protected Map<String, String> extraOptions() {
        return Map.of();
    }

    protected final AsyncFailures failures = new AsyncFailures();
    private final List<Backplane> opened = new ArrayList<>();
    private String prefix;
    private boolean brokerStopped;

    @BeforeEach
    void newPrefix(TestInfo info) {
        prefix = "tck-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeEverything() {
        try {
            if (brokerStopped) {
                brokerControl().start();
                brokerStopped = false;
            }
        } finally {
            opened.forEach(Backplane::close);
            opened.clear();
        }
        failures.rethrow();
    }

    // ---------------------------------------------------------------- kit facilities

    /** A new backplane instance (a "node") on this test's prefix. */
    protected final Backplane open() {
        return open(prefix, Map.of());
    }

    /** A new backplane instance on {@code prefix}, with extra options. */
    protected final Backplane open(String prefix, Map<String, String> options) {
        Map<String, String> all = new HashMap<>();
        all.put(BackplaneConfig.PREFIX, prefix);
        all.put(BackplaneConfig.PUBLISH_TIMEOUT, KitTimeouts.publish().toMillis() + "ms");
        all.put(BackplaneConfig.ACK_TIMEOUT, KitTimeouts.ack().toMillis() + "ms");
        all.putAll(extraOptions());
        all.putAll(options);
        Backplane backplane = Backplanes.open(URI.create(backplaneUri()), all);
        opened.add(backplane);
        return backplane;
    }

    /** This test's prefix. */
    protected final String prefix() {
        return prefix;
    }

    /** Subscribes a recorder that acknowledges every delivery, waiting until the subscription is active. */
    protected final Recorder subscribe(Backplane backplane, String channel) {
        Recorder recorder = new Recorder(channel, failures, true);
        await(backplane.subscribe(channel, recorder), "subscribe to '" + channel + "'");
        return recorder;
    }

    /** Publishes text and waits for the broker's acceptance. */
    protected static Position publish(Backplane backplane, String channel, String text) {
        return await(backplane.publish(channel, text.getBytes(StandardCharsets.UTF_8)), "publish to '" + channel + "'");
    }

    /** Waits for a future within the delivery timeout; fails with what was being done otherwise. */
    protected static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(what + " did not complete within " + KitTimeouts.delivery());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during " + what, e);
        }
    }

    /** Takes the broker down; restarted after the test whatever happens. */
    protected final void stopBroker() {
        try {
            brokerControl().stop();
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("this rule stops the broker, and the broker under test cannot be stopped: " + e.getMessage());
        }
        brokerStopped = true;
    }

    protected final void startBroker() {
        brokerControl().start();
        brokerStopped = false;
    }

    /** The capabilities the backplane under test declares. */
    protected final Capabilities capabilities() {
        return open().capabilities();
    }

    /** Skips the calling rule, saying which capability it needs, unless it is declared. */
    protected final void requireCapability(boolean declared, String rule, String capability) {
        Assumptions.assumeTrue(declared, () -> rule + " needs the capability " + capability
                + ", which this backplane does not declare; declare it in Capabilities to run this rule");
    }

    protected final void requireAtLeastOnce(String rule) {
        requireCapability(capabilities().guarantee() == DeliveryGuarantee.AT_LEAST_ONCE, rule, "guarantee=AT_LEAST_ONCE");
    }

    protected static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- rules

    @Test
    @DisplayName("T1 fan-out: a message reaches every subscription of its channel, on every instance, once")
    void t01_fanOutReachesEverySubscriptionOnce() {
        Backplane a = open();
        Backplane b = open();
        Recorder a1 = subscribe(a, "fan");
        Recorder a2 = subscribe(a, "fan");
        Recorder b1 = subscribe(b, "fan");
        for (int i = 0; i < 10; i++) {
            publish(i % 2 == 0 ? a : b, "fan", "m" + i);
        }
        for (Recorder r : List.of(a1, a2, b1)) {
            r.awaitCount(10);
            assertThat(r.settle()).as("deliveries to one subscription of 10 messages").isEqualTo(10);
            assertThat(r.texts()).as("each message exactly once").containsExactlyInAnyOrder(
                    "m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
        }
    }
}
