package dev.backplane.redis.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.Position;
import dev.backplane.PublishOutcomeUnknownException;
import dev.backplane.brokers.FailoverLoad;
import dev.backplane.brokers.SentinelRedis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

/**
 * Redis Streams behind Redis Sentinel ({@link SentinelRedis}): the backplane writes to the master the
 * sentinels name, {@code waitReplicas} makes a publish complete only once a replica has it, and a
 * failover loses none of the publishes that completed. The failover test runs last, as it kills the
 * master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisStreamsSentinelTest {

    @RegisterExtension
    static final SentinelRedis.PerClass deployment = new SentinelRedis.PerClass();
    private final List<Backplane> opened = new ArrayList<>();

    @AfterEach
    void closeBackplanes() {
        opened.forEach(Backplane::close);
    }

    private Backplane open(Map<String, String> options) {
        Backplane b = Backplanes.open(URI.create(deployment.get().uri("redis-sentinel-streams")), options);
        opened.add(b);
        return b;
    }

    @Test
    @Order(1)
    void aPublishWithWaitReplicasCompletesOnceTheReplicaHoldsTheEntry() throws Exception {
        Backplane backplane = open(Map.of("prefix", "waited", "waitReplicas", "1"));
        Position position = backplane.publish("c", new byte[] {7}).get(15, TimeUnit.SECONDS);
        try (Jedis replica = deployment.get().server(deployment.get().replicaAddress())) {
            // Read at once, no polling: WAIT answered only after the replica acknowledged the XADD.
            assertThat(replica.xrange("waited:c", position.value(), position.value())).hasSize(1);
        }
    }

    @Test
    @Order(2)
    void moreReplicasAskedForThanThereAreFailsThePublishAsOutcomeUnknownSayingHowManyConfirmed() throws Exception {
        Backplane backplane = open(Map.of("prefix", "toomany", "waitReplicas", "2", "waitTimeout", "300ms"));
        assertThatThrownBy(() -> backplane.publish("c", new byte[] {7}).get(15, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(PublishOutcomeUnknownException.class)
                .hasMessageContaining("only 1 of the 2 replica(s) asked for (option waitReplicas) confirmed it within 300 ms");
    }

    @Test
    @Order(3)
    void aWaitTimeoutNotShorterThanThePublishTimeoutIsRefusedAtOpen() {
        assertThatThrownBy(() -> open(Map.of("waitReplicas", "1", "waitTimeout", "5s", "publishTimeout", "5s")))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'waitTimeout' is 5000 ms")
                .hasMessageContaining("shorter than publishTimeout (5000 ms)");
        assertThatThrownBy(() -> open(Map.of("waitTimeout", "1s")))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'waitTimeout' without 'waitReplicas'");
    }

    /**
     * With {@code waitReplicas=1} on a master with one replica: every publish that completed before
     * the kill is on the replica the sentinels promote, so none is lost. After the promotion the
     * new master has no replica left (the old master is dead), so WAIT cannot be met: publishes are
     * still added and delivered, but fail as outcome unknown, saying so.
     */
    @Test
    @Order(10)
    void afterTheMasterIsKilledNoPublishThatCompletedIsLostAndDeliveriesResumeOnThePromotedReplica() throws Exception {
        Map<String, String> options = Map.of("prefix", "failover", "publishTimeout", "10s", "connectTimeout", "1s",
                "waitReplicas", "1", "waitTimeout", "1s");
        Backplane publisher = open(options);
        Backplane subscriber = open(options);
        FailoverLoad load = FailoverLoad.start(publisher, subscriber, "steady", Duration.ofMillis(10));
        awaitCondition(() -> load.delivered() >= 50, Duration.ofSeconds(15)); // a steady load before the kill
        deployment.get().killMaster(); // SIGKILL, and waits for the process to end
        load.fault();
        deployment.get().awaitPromotion(Duration.ofSeconds(60));
        awaitCondition(() -> load.settledSinceFault() >= 300, Duration.ofSeconds(60));
        FailoverLoad.Report report = load.stop(Duration.ofSeconds(15));
        System.out.println("Streams Sentinel failover (waitReplicas=1): " + report.summary());

        assertThat(report.lost()).as("publishes that completed and were never delivered").isEmpty();
        assertThat(report.firstDeliveryAfterFaultMillis()).as("a message published after the kill was delivered")
                .isBetween(0L, 60_000L);
        assertThat(report.messagesShown()).as("no READONLY reached the user").noneMatch(m -> m.contains("READONLY"));
        assertThat(report.failed()).as("publishes the promoted master, with no replica left, could not have confirmed")
                .allSatisfy(p -> assertThat(p.failure()).isInstanceOf(PublishOutcomeUnknownException.class)
                        .hasMessageContaining("of the 1 replica(s) asked for (option waitReplicas)"));
    }

    private static void awaitCondition(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within " + timeout).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
