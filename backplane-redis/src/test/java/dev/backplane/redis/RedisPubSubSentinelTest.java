package dev.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.brokers.FailoverLoad;
import dev.backplane.brokers.SentinelRedis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

/**
 * Redis pub/sub behind Redis Sentinel (a master, a replica, three sentinels: {@link SentinelRedis}):
 * the backplane finds the master through the sentinels, and follows a failover without any call of
 * the user's. The failover test runs last, as it kills the master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisPubSubSentinelTest {

    @RegisterExtension
    static final SentinelRedis.PerClass deployment = new SentinelRedis.PerClass();
    private final List<Backplane> opened = new ArrayList<>();

    @AfterEach
    void closeBackplanes() {
        opened.forEach(Backplane::close);
    }

    private Backplane open(Map<String, String> options) {
        Backplane b = Backplanes.open(URI.create(deployment.get().uri("redis-sentinel")), options);
        opened.add(b);
        return b;
    }

    @Test
    @Order(1)
    void aBackplaneOnTheSentinelsPublishesThroughTheMasterTheyName() throws Exception {
        Backplane backplane = open(Map.of("prefix", "first"));
        backplane.publish("c", new byte[] {1}).get(15, TimeUnit.SECONDS);
        try (Jedis master = deployment.get().server(deployment.get().masterAddress()); Jedis replica = deployment.get().server(deployment.get().replicaAddress())) {
            assertThat(master.clientList()).as("the master's clients").contains("name=backplane-first");
            assertThat(replica.clientList()).as("the replica's clients").doesNotContain("name=backplane-first");
        }
    }

    @Test
    @Order(2)
    void aMasterNameTheSentinelsDoNotMonitorFailsThePublishAsAConfigurationError() throws Exception {
        Backplane backplane = Backplanes.open(URI.create(deployment.get().uri("redis-sentinel").replace("?master=" + SentinelRedis.MASTER_NAME,
                "?master=nope")), Map.of("publishTimeout", "5s"));
        opened.add(backplane);
        assertThatThrownBy(() -> backplane.publish("c", new byte[] {1}).get(15, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("monitors a master named 'nope'");
    }

    @Test
    @Order(10)
    void afterTheMasterIsKilledPublishesAndDeliveriesResumeOnThePromotedReplicaWithTheLossReportedAsAGap()
            throws Exception {
        Map<String, String> options = Map.of("prefix", "failover", "publishTimeout", "10s", "connectTimeout", "1s");
        Backplane publisher = open(options);
        Backplane subscriber = open(options);
        FailoverLoad load = FailoverLoad.start(publisher, subscriber, "steady", Duration.ofMillis(10));
        awaitCondition(() -> load.delivered() >= 50, Duration.ofSeconds(15)); // a steady load before the kill
        deployment.get().killMaster(); // SIGKILL, and waits for the process to end
        load.fault();
        deployment.get().awaitPromotion(Duration.ofSeconds(60));
        awaitCondition(() -> load.deliveredSinceFault() >= 50, Duration.ofSeconds(60));
        FailoverLoad.Report report = load.stop(Duration.ofSeconds(5));
        System.out.println("pub/sub Sentinel failover: " + report.summary());

        assertThat(report.firstSuccessAfterFaultMillis()).as("a publish called after the kill succeeded")
                .isBetween(0L, 60_000L);
        assertThat(report.firstDeliveryAfterFaultMillis()).as("a message published after the kill was delivered")
                .isBetween(0L, 60_000L);
        assertThat(report.gaps()).as("the subscription was told of the outage").isNotEmpty();
        assertThat(report.messagesShown()).as("no READONLY reached the user").noneMatch(m -> m.contains("READONLY"));
        long lastGap = report.gaps().get(report.gaps().size() - 1).reportedNanos();
        for (FailoverLoad.Publish lost : report.lost()) {
            // Called, not settled: a publish Redis took just before the new SUBSCRIBE can settle just
            // after the gap is reported, but one called after the report reaches Redis after it.
            assertThat(lost.calledNanos()).as("message %d, lost, was published before the gap was reported",
                    lost.sequence()).isLessThanOrEqualTo(lastGap);
            assertThat(lost.settledNanos()).as("message %d, lost, was published after the kill or just before",
                    lost.sequence()).isGreaterThan(report.faultNanos() - TimeUnit.SECONDS.toNanos(1));
        }
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within " + timeout).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
