package dev.backplane.kafka;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneResources;
import dev.backplane.Backplanes;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.brokers.Broker;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * What the module's tests share: backplanes opened on one broker with a prefix of the test's own
 * and closed after it, an admin client to look at the broker, and waits bounded by the kit's timeouts.
 */
final class KafkaTestBackplanes implements AutoCloseable {

    final AsyncFailures failures = new AsyncFailures();
    private final String base;
    private final String adminAddress;
    private final String prefix;
    private final List<Backplane> opened = new ArrayList<>();
    private Admin admin;

    KafkaTestBackplanes(Broker broker) {
        this("kafka://" + broker.address(), broker.address());
    }

    /**
     * @param base the URI without query, e.g. {@code kafkas://user:password@127.0.0.1:1234}
     * @param adminAddress a PLAINTEXT listener for {@link #admin()}, with every permission
     */
    KafkaTestBackplanes(String base, String adminAddress) {
        this(base, adminAddress, uniquePrefix("t"));
    }

    /** As {@link #KafkaTestBackplanes(String, String)}, with {@code prefix}. */
    KafkaTestBackplanes(String base, String adminAddress, String prefix) {
        this.base = base;
        this.adminAddress = adminAddress;
        this.prefix = prefix;
    }

    /** {@code start}, a dash and eight characters of a random UUID. */
    static String uniquePrefix(String start) {
        return start + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    String prefix() {
        return prefix;
    }

    /** {@code kafka://host:port?prefix=<this test's>} (or the base given) plus {@code query} (options joined with {@code &}). */
    String uri(String query) {
        return base + "?prefix=" + prefix + (query.isEmpty() ? "" : "&" + query);
    }

    Backplane open(String query) {
        Backplane backplane = Backplanes.open(uri(query));
        opened.add(backplane);
        return backplane;
    }

    /** As {@link #open(String)}, with callbacks and deadlines on {@code resources}. */
    Backplane open(String query, BackplaneResources resources) {
        Backplane backplane = Backplanes.open(URI.create(uri(query)), Map.of(), resources);
        opened.add(backplane);
        return backplane;
    }

    /** Keeps {@code backplane} (opened by the test itself) to close after the test. */
    <B extends Backplane> B closeAfterTest(B backplane) {
        opened.add(backplane);
        return backplane;
    }

    Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, adminAddress));
        }
        return admin;
    }

    Recorder subscribe(Backplane backplane, String channel) {
        Recorder recorder = new Recorder(channel, failures, true);
        await(backplane.subscribe(channel, recorder));
        return recorder;
    }

    Recorder subscribe(Backplane backplane, String channel, Position from) {
        Recorder recorder = new Recorder(channel, failures, true);
        await(backplane.subscribe(channel, from, recorder));
        return recorder;
    }

    /** {@code connectTimeout} and the options given as name, value pairs (values URL-encoded), joined as a query. */
    static String query(Duration connectTimeout, Object... pairs) {
        StringBuilder query = new StringBuilder(BackplaneConfig.CONNECT_TIMEOUT + "=" + connectTimeout.toMillis() + "ms");
        for (int i = 0; i < pairs.length; i += 2) {
            query.append('&').append(pairs[i]).append('=')
                    .append(URLEncoder.encode(pairs[i + 1].toString(), StandardCharsets.UTF_8));
        }
        return query.toString();
    }

    /** Subscribes to a channel, publishes to it, and returns once the message came back. */
    void assertRoundTrip(Backplane backplane) {
        String text = "round trip " + UUID.randomUUID();
        Recorder recorder = subscribe(backplane, "round-trip");
        publish(backplane, "round-trip", text);
        recorder.awaitCount(1, "the message published was not delivered back");
        org.assertj.core.api.Assertions.assertThat(recorder.texts()).containsExactly(text);
    }

    /**
     * What opening the backplane of {@code query} failed with, asserting that it failed within
     * {@code connectTimeout} (the query's, which it must set) plus the kit's grace; prints how long
     * it took under {@code what}.
     */
    Throwable openingFailure(String query, Duration connectTimeout, String what) {
        long start = System.nanoTime();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> open(query));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println(what + ": opening failed after " + took.toMillis() + " ms: " + thrown);
        org.assertj.core.api.Assertions.assertThat(thrown).as("opening with " + what).isNotNull();
        org.assertj.core.api.Assertions.assertThat(took).as("time to fail with " + what)
                .isLessThan(connectTimeout.plus(KitTimeouts.grace()));
        return thrown;
    }

    static Position publish(Backplane backplane, String channel, String text) {
        return await(backplane.publish(channel, text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Publishes, trying again while it fails with {@link BrokerUnavailableException}: a restarted
     * broker takes a moment to elect its partition leaders. Gives up after the kit's recovery time.
     */
    static Position publishEventually(Backplane backplane, String channel, String text) {
        long deadline = System.nanoTime() + KitTimeouts.recovery().toNanos();
        while (true) {
            try {
                return publish(backplane, channel, text);
            } catch (BrokerUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    /** The future's value within the kit's delivery timeout; its failure's cause is thrown as it is. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("did not complete within " + KitTimeouts.delivery(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The topics on the broker whose names start with this test's prefix. */
    List<String> topicsOfThisTest() {
        try {
            return admin().listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(name -> name.startsWith(prefix)).sorted().toList();
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("listing topics failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Closes every backplane opened through it and its admin client. Idempotent. */
    @Override
    public void close() {
        opened.forEach(Backplane::close);
        opened.clear();
        if (admin != null) {
            admin.close();
            admin = null;
        }
        failures.rethrow();
    }
}
