package dev.backplane.tck.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Backplanes;
import dev.backplane.hub.HubConnection;
import dev.backplane.hub.HubContext;
import dev.backplane.hub.HubNode;
import dev.backplane.hub.HubOptions;
import dev.backplane.hub.HubPresence;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.BrokerControl;
import dev.backplane.tck.KitTimeouts;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What the scale-out rules stand on: the seams a transport's test overrides (where the backplane
 * is, hub options, factories the kit's self-tests replace), a fresh prefix per test, nodes and
 * contexts closed after each test, a three-node cluster, recording clients and waits that fail
 * with what was awaited. The rules themselves are in {@link HubTck}.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
public abstract class HubKitSupport {

    /** The hub name the kit's nodes use. */
    protected static final String HUB = "kit";

    /** The URI of the backplane under test; the kit adds prefix and timeout options to it. */
    protected abstract String backplaneUri();

    /**
     * Stops and starts the broker, for rule S20 (a broker outage declares no node dead). By
     * default a control that refuses to, and S20 is then aborted with that reason: override it to
     * run S20.
     */
    protected BrokerControl brokerControl() {
        return BrokerControl.of(() -> {
            throw new UnsupportedOperationException("the scale-out kit was given no way to stop the broker; "
                    + "override brokerControl()");
        }, () -> {
            throw new UnsupportedOperationException("the scale-out kit was given no way to start the broker; "
                    + "override brokerControl()");
        });
    }

    /** Extra options for every backplane the kit opens; none by default. */
    protected Map<String, String> extraOptions() {
        return Map.of();
    }

    /** The options of the kit's nodes and contexts: heartbeat 200 ms (scaled), 3 missed heartbeats. */
    protected HubOptions hubOptions(String hub) {
        return HubOptions.of(hub).withHeartbeat(KitTimeouts.scaled(Duration.ofMillis(200)), 3)
                .withCommandTimeout(KitTimeouts.delivery()).withInvocationTimeout(KitTimeouts.delivery());
    }

    /** Opens one backplane. The kit's own self-tests override this to put a faulty backplane in. */
    protected Backplane openBackplane(URI uri, Map<String, String> options) {
        return Backplanes.open(uri, options);
    }

    /** Starts one node. The kit's own self-tests override this to put a faulty node in. */
    protected HubNode startNode(Backplane backplane, HubOptions options) {
        return HubNode.start(backplane, options);
    }

    /** Opens one context without connections. The kit's own self-tests override this too. */
    protected HubContext openContext(Backplane backplane, HubOptions options) {
        return HubContext.open(backplane, options);
    }

    /**
     * How long the kit waits for something that should happen: {@link KitTimeouts#delivery()}. The
     * kit's self-tests shorten it, since there every wait that runs out is the expected outcome.
     */
    protected Duration patience() {
        return KitTimeouts.delivery();
    }

    protected final AsyncFailures failures = new AsyncFailures();
    private final List<AutoCloseable> opened = Collections.synchronizedList(new ArrayList<>());
    private String prefix;
    private boolean brokerStopped;

    @BeforeEach
    void newPrefix() {
        prefix = "hubtck-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeEverything() throws Exception {
        if (brokerStopped) {
            brokerStopped = false;
            brokerControl().start();
        }
        List<AutoCloseable> all;
        synchronized (opened) {
            all = new ArrayList<>(opened);
            opened.clear();
        }
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (RuntimeException e) {
                failures.add(new AssertionError("closing " + c + " threw " + e, e));
            }
        }
        failures.rethrow();
    }

    // ---------------------------------------------------------------- kit facilities

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

    /** This test's prefix. */
    protected final String prefix() {
        return prefix;
    }

    /** A new backplane on {@code prefix}; closed after the test. */
    protected final Backplane backplane(String prefix) {
        Map<String, String> all = new HashMap<>();
        all.put(BackplaneConfig.PREFIX, prefix);
        all.put(BackplaneConfig.PUBLISH_TIMEOUT, KitTimeouts.publish().toMillis() + "ms");
        all.put(BackplaneConfig.ACK_TIMEOUT, KitTimeouts.ack().toMillis() + "ms");
        all.putAll(extraOptions());
        Backplane backplane = openBackplane(URI.create(backplaneUri()), all);
        opened.add(backplane);
        return backplane;
    }

    /** A node of hub {@value #HUB} on this test's prefix, on a backplane of its own. */
    protected final HubNode node() {
        return node(backplane(prefix), hubOptions(HUB));
    }

    protected final HubNode node(Backplane backplane, HubOptions options) {
        HubNode node = startNode(backplane, options);
        opened.add(node);
        return node;
    }

    /** A context of hub {@value #HUB} on this test's prefix, on a backplane of its own. */
    protected final HubContext context() {
        return context(backplane(prefix), hubOptions(HUB));
    }

    protected final HubContext context(Backplane backplane, HubOptions options) {
        HubContext context = openContext(backplane, options);
        opened.add(context);
        return context;
    }

    /** Three nodes and a context of hub {@value #HUB}, each of which sees the three nodes. */
    protected final Cluster cluster() {
        Backplane ba = backplane(prefix);
        Backplane bb = backplane(prefix);
        Backplane bc = backplane(prefix);
        HubNode a = node(ba, hubOptions(HUB));
        HubNode b = node(bb, hubOptions(HUB));
        HubNode c = node(bc, hubOptions(HUB));
        HubContext ctx = context();
        Cluster cluster = new Cluster(a, b, c, ctx, Map.of(a, ba, b, bb, c, bc));
        Set<String> ids = Set.of(a.nodeId(), b.nodeId(), c.nodeId());
        awaitPresence(cluster.observers(), p -> p.nodes().equals(ids), "every observer sees the three nodes " + ids);
        return cluster;
    }

    /** Three nodes, a context, and the backplane under each node (to crash it). */
    protected record Cluster(HubNode a, HubNode b, HubNode c, HubContext context, Map<HubNode, Backplane> backplanes) {
        /** Everyone whose presence view is checked: the three nodes and the context. */
        public List<HubContext> observers() {
            return List.of(a, b, c, context);
        }
    }

    /** Registers a recording client on {@code node}. */
    protected final Client connect(HubNode node, String user, String name) {
        Client client = new Client(name, failures, patience());
        HubConnection connection = await(node.connect(user, client), "connecting " + name);
        client.connected(connection.id());
        return client;
    }

    /** Waits until {@code condition} holds for the presence view of every observer. */
    protected final void awaitPresence(List<? extends HubContext> observers, Predicate<HubPresence> condition,
            String what) {
        awaitPresence(observers, condition, what, patience());
    }

    protected final void awaitPresence(List<? extends HubContext> observers, Predicate<HubPresence> condition,
            String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (HubContext observer : observers) {
            while (!condition.test(observer.presence())) {
                if (System.nanoTime() > deadline) {
                    HubPresence p = observer.presence();
                    throw new AssertionError("presence of " + observer + " did not converge within " + timeout + ": "
                            + what + "; it shows nodes=" + p.nodes() + " users=" + p.onlineUsers() + " connections="
                            + p.connections());
                }
                pause(Duration.ofMillis(10));
            }
        }
    }

    /** Waits for a future within the delivery timeout; fails with what was being done otherwise. */
    protected final <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(what + " did not complete within " + patience());
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during " + what, e);
        }
    }

    /** Waits for a future that must fail, and returns its failure; fails if it succeeds or hangs. */
    protected final Throwable awaitFailure(CompletableFuture<?> future, String what) {
        try {
            Object value = future.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError(what + " should have failed but completed with " + value);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(what + " should have failed but was still pending after " + patience());
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during " + what, e);
        }
    }

    protected static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Checks, after the quiet period, that each client received exactly {@code expected}, in any order. */
    protected final void assertExactlyOnce(Map<Client, List<String>> expected) {
        expected.forEach((client, texts) -> {
            if (!texts.isEmpty()) {
                client.awaitCount(texts.size());
            }
        });
        pause(KitTimeouts.quiet());
        expected.forEach((client, texts) -> {
            List<String> got = client.texts();
            if (!new java.util.HashMap<>(counts(got)).equals(counts(texts))) {
                throw new AssertionError("messages received by " + client + " (each exactly once, nothing else): "
                        + "expected " + abbreviated(texts) + " but received " + abbreviated(got));
            }
        });
    }

    private static Map<String, Long> counts(List<String> texts) {
        Map<String, Long> counts = new HashMap<>();
        texts.forEach(t -> counts.merge(t, 1L, Long::sum));
        return counts;
    }

    /** Texts for a failure message: long ones cut, at most 20 shown. */
    private static String abbreviated(List<String> texts) {
        List<String> shown = texts.stream().limit(20)
                .map(t -> t.length() <= 80 ? t : t.substring(0, 40) + "...(" + t.length() + " characters)").toList();
        return texts.size() <= 20 ? shown.toString() : shown + " and " + (texts.size() - 20) + " more";
    }

    protected static void requireOrdered(Backplane backplane, String rule) {
        Assumptions.assumeTrue(backplane.capabilities().orderedPerPublisher(), () -> rule + " applies only where "
                + "Capabilities declare orderedPerPublisher=true; this backplane declares orderedPerPublisher=false, so "
                + "the rule does not apply to it");
    }
}
