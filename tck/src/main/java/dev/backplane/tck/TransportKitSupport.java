package dev.backplane.tck;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Backplanes;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The hooks and facilities of the transport kit: what an implementer supplies and what the rules
 * use. Extend {@link BackplaneTck}, not this class; the rules live in the classes between the two.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
public abstract class TransportKitSupport {

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
    private Capabilities capabilities;

    @BeforeEach
    void newPrefix() {
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
            for (Backplane backplane : opened) {
                try {
                    backplane.close();
                } catch (RuntimeException e) {
                    failures.add(new AssertionError("close() of a backplane threw " + e, e));
                }
            }
            opened.clear();
        }
        failures.rethrow();
    }

    // ---------------------------------------------------------------- backplanes

    /**
     * A new backplane instance (a "node") on this test's prefix, with {@code publishTimeout}
     * {@link KitTimeouts#publish()} and {@code ackTimeout} {@link KitTimeouts#patientAck()}.
     */
    protected final Backplane open() {
        return open(prefix, Map.of());
    }

    /** A new backplane instance on this test's prefix with {@code ackTimeout} {@link KitTimeouts#ack()}. */
    protected final Backplane openWithShortAckTimeout() {
        return open(prefix, Map.of(BackplaneConfig.ACK_TIMEOUT, KitTimeouts.ack().toMillis() + "ms"));
    }

    /** A new backplane instance on {@code prefix}, with extra options. */
    protected final Backplane open(String prefix, Map<String, String> options) {
        Map<String, String> all = new HashMap<>();
        all.put(BackplaneConfig.PREFIX, prefix);
        all.put(BackplaneConfig.PUBLISH_TIMEOUT, KitTimeouts.publish().toMillis() + "ms");
        all.put(BackplaneConfig.ACK_TIMEOUT, KitTimeouts.patientAck().toMillis() + "ms");
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

    /** The capabilities the backplane under test declares. */
    protected final Capabilities capabilities() {
        if (capabilities == null) {
            capabilities = open().capabilities();
        }
        return capabilities;
    }

    // ---------------------------------------------------------------- subscribing and publishing

    /** Subscribes a recorder that acknowledges every delivery, waiting until the subscription is active. */
    protected final Recorder subscribe(Backplane backplane, String channel) {
        Recorder recorder = new Recorder(channel, failures, true);
        await(backplane.subscribe(channel, recorder), "subscribe to " + Quoted.name(channel));
        return recorder;
    }

    /** Subscribes {@code subscriber}, waiting until the subscription is active. */
    protected final Subscription subscribe(Backplane backplane, String channel, Subscriber subscriber) {
        return await(backplane.subscribe(channel, subscriber), "subscribe to " + Quoted.name(channel));
    }

    /** A recorder for {@code channel} whose failures this test reports. */
    protected final Recorder recorder(String channel, boolean autoAck) {
        return new Recorder(channel, failures, autoAck);
    }

    /** Publishes text and waits for the broker's acceptance. */
    protected static Position publish(Backplane backplane, String channel, String text) {
        return await(backplane.publish(channel, text.getBytes(StandardCharsets.UTF_8)), "publish to "
                + Quoted.name(channel));
    }

    /**
     * Makes one publish call per text, in order and without waiting in between, then waits for
     * every acceptance; returns the positions in the same order.
     */
    protected static List<Position> publishAll(Backplane backplane, String channel, List<String> texts) {
        List<CompletableFuture<Position>> futures = new ArrayList<>(texts.size());
        for (String text : texts) {
            futures.add(backplane.publish(channel, utf8(text)));
        }
        List<Position> positions = new ArrayList<>(texts.size());
        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
        for (int i = 0; i < futures.size(); i++) {
            positions.add(awaitUntil(futures.get(i), deadline,
                    "publish " + (i + 1) + " of " + futures.size() + " to " + Quoted.name(channel) + " ("
                            + Quoted.name(texts.get(i)) + ")"));
        }
        return positions;
    }

    /** Waits for a future within the delivery timeout; fails with what was being done otherwise. */
    protected static <T> T await(CompletableFuture<T> future, String what) {
        return awaitUntil(future, System.nanoTime() + KitTimeouts.delivery().toNanos(), what);
    }

    private static <T> T awaitUntil(CompletableFuture<T> future, long deadlineNanos, String what) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not complete within " + KitTimeouts.delivery());
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during " + what, e);
        }
    }

    /** What a future ended with: its value, its failure, or neither (still pending). */
    protected record Outcome<T>(T value, Throwable failure, boolean done) {
        static <T> Outcome<T> of(CompletableFuture<T> future, long deadlineNanos) {
            try {
                return new Outcome<>(future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS),
                        null, true);
            } catch (TimeoutException e) {
                return new Outcome<>(null, null, false);
            } catch (ExecutionException | CompletionException e) {
                return new Outcome<>(null, e.getCause(), true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for a future", e);
            }
        }

        boolean succeeded() {
            return done && failure == null;
        }
    }

    /** Waits for {@code future} until the deadline, without failing when it fails or stays pending. */
    protected static <T> Outcome<T> outcome(CompletableFuture<T> future, long deadlineNanos) {
        return Outcome.of(future, deadlineNanos);
    }

    /**
     * Fails unless {@code r} received each of {@code texts} exactly once, naming those that came
     * another number of times.
     */
    protected static void assertEachOnce(Recorder r, java.util.Collection<String> texts, String meaning) {
        Map<String, Long> wrong = new java.util.LinkedHashMap<>();
        for (String text : texts) {
            long n = r.count(text);
            if (n != 1) {
                wrong.put(text, n);
            }
        }
        if (!wrong.isEmpty()) {
            String shown = wrong.entrySet().stream().limit(20).map(e -> e.getKey() + " x" + e.getValue())
                    .collect(java.util.stream.Collectors.joining(", "));
            throw new AssertionError(meaning + ": on the subscription of " + Quoted.name(r.channel()) + ", "
                    + wrong.size() + " of " + texts.size() + " message(s) did not come exactly once: " + shown
                    + (wrong.size() > 20 ? " and " + (wrong.size() - 20) + " more" : ""));
        }
    }

    // ---------------------------------------------------------------- broker control

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

    // ---------------------------------------------------------------- capabilities

    /**
     * Skips the calling rule unless {@code declared}: the rule applies only to backplanes with
     * {@code capability}, and the message says what this one declares instead, without asking for
     * a declaration the transport may not be able to keep.
     */
    protected final void requireCapability(boolean declared, String rule, String capability, String declaredInstead) {
        Assumptions.assumeTrue(declared, () -> skipReason(rule, capability, declaredInstead));
    }

    /** The message of a rule skipped because the backplane declares {@code declaredInstead}. */
    static String skipReason(String rule, String capability, String declaredInstead) {
        return rule + " applies only where Capabilities declare " + capability + "; this backplane declares "
                + declaredInstead + ", so the rule does not apply to it";
    }

    /** Skips the calling rule unless the backplane does NOT declare {@code capability}. */
    protected final void requireCapabilityAbsent(boolean declared, String rule, String capability) {
        Assumptions.assumeFalse(declared, () -> rule + " checks how a backplane without " + capability
                + " refuses it, and this backplane declares it; the rules for " + capability + " run instead");
    }

    protected final void requireAtLeastOnce(String rule) {
        requireCapability(capabilities().guarantee() == DeliveryGuarantee.AT_LEAST_ONCE, rule, "guarantee=AT_LEAST_ONCE",
                "guarantee=" + capabilities().guarantee());
    }

    protected final void requireAtMostOnce(String rule) {
        requireCapability(capabilities().guarantee() == DeliveryGuarantee.AT_MOST_ONCE, rule, "guarantee=AT_MOST_ONCE",
                "guarantee=" + capabilities().guarantee());
    }

    protected final void requireReplay(String rule) {
        requireCapability(capabilities().replay(), rule, "replay=true", "replay=false");
    }

    protected final void requireOrderedPerPublisher(String rule) {
        requireCapability(capabilities().orderedPerPublisher(), rule, "orderedPerPublisher=true",
                "orderedPerPublisher=false");
    }

    // ---------------------------------------------------------------- small helpers

    protected static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Waits for {@code latch} within the delivery timeout; fails with {@code failure} otherwise. */
    protected static void awaitLatch(java.util.concurrent.CountDownLatch latch, String failure) {
        try {
            if (!latch.await(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(failure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting: " + failure, e);
        }
    }

    /** Waits the quiet period, in which something that must not happen gets its chance to. */
    protected static void quietPeriod() {
        sleep(KitTimeouts.quiet());
    }

    protected static void sleep(Duration duration) {
        Recorder.sleep(duration);
    }

    /** {@code prefix0 ... prefix(n-1)}. */
    protected static List<String> numbered(String prefix, int n) {
        List<String> texts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            texts.add(prefix + i);
        }
        return texts;
    }

    /**
     * Runs every task on a thread of its own, all released at once, and waits for all of them;
     * the first failure is rethrown with the others suppressed.
     */
    protected static void concurrently(List<Runnable> tasks) {
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<Throwable> thrown = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            Runnable task = tasks.get(i);
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    task.run();
                } catch (Throwable e) {
                    thrown.add(e);
                }
            }, "tck-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        start.countDown();
        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos() * 2;
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for worker threads", e);
            }
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not finish within " + KitTimeouts.delivery().multipliedBy(2));
            }
        }
        if (!thrown.isEmpty()) {
            AssertionError error = new AssertionError(thrown.size() + " worker thread(s) failed; first: "
                    + thrown.get(0).getMessage(), thrown.get(0));
            thrown.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
    }
}
