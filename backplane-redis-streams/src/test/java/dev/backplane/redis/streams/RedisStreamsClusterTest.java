package dev.backplane.redis.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.Delivery;
import dev.backplane.PublishOutcomeUnknownException;
import dev.backplane.Subscriber;
import dev.backplane.brokers.Await;
import dev.backplane.brokers.ClusterRedis;
import dev.backplane.brokers.FailoverLoad;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Redis Streams on a Redis Cluster (three masters, three replicas: {@link ClusterRedis}), opened with
 * {@code redis-cluster-streams://}: every key of a prefix is in the slot of the hash tag
 * {@code {prefix}}, so one prefix lives on one master and prefixes spread over the masters; a killed
 * master's prefix resumes on its promoted replica, and with {@code waitReplicas=1} no publish that
 * completed is lost. The failover test runs last, as it kills a master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisStreamsClusterTest {

    @RegisterExtension
    static final ClusterRedis.PerClass cluster = new ClusterRedis.PerClass();
    private final List<Backplane> opened = new ArrayList<>();

    @AfterEach
    void closeBackplanes() {
        opened.forEach(Backplane::close);
    }

    private Backplane open(Map<String, String> options) {
        Backplane b = Backplanes.open(URI.create(cluster.get().uri("redis-cluster-streams")), options);
        opened.add(b);
        return b;
    }

    private static int slotOf(String prefix) {
        return JedisClusterCRC16.getSlot("{" + prefix + "}");
    }

    /** One prefix per master, each hashing to a slot that master owns. */
    private static Map<HostAndPort, String> prefixPerMaster() {
        Map<HostAndPort, String> prefixes = new LinkedHashMap<>();
        for (int i = 0; prefixes.size() < 3; i++) {
            prefixes.putIfAbsent(cluster.get().masterOf(slotOf("app" + i)), "app" + i);
        }
        return prefixes;
    }

    @Test
    @Order(1)
    void everyStreamOfAPrefixIsOnTheMasterOfThePrefixSlotAndPrefixesOnEveryMasterDeliverInOrder() throws Exception {
        Map<HostAndPort, String> prefixes = prefixPerMaster();
        List<String> channels = List.of("a", "b", "group:c");
        Map<String, List<String>> received = new ConcurrentHashMap<>();
        for (String prefix : prefixes.values()) {
            Backplane subscriber = open(Map.of("prefix", prefix));
            for (String channel : channels) {
                subscriber.subscribe(channel, new Subscriber() {
                    @Override
                    public void onMessage(Delivery delivery) {
                        received.computeIfAbsent(prefix + "/" + delivery.channel(), k -> new CopyOnWriteArrayList<>())
                                .add(new String(delivery.payload(), StandardCharsets.UTF_8));
                        delivery.ack();
                    }
                }).get(15, TimeUnit.SECONDS);
            }
        }
        for (String prefix : prefixes.values()) {
            Backplane publisher = open(Map.of("prefix", prefix));
            for (int i = 0; i < 5; i++) {
                for (String channel : channels) {
                    publisher.publish(channel, (prefix + "-" + i).getBytes(StandardCharsets.UTF_8))
                            .get(15, TimeUnit.SECONDS);
                }
            }
        }
        Await.until("5 messages on each of the 9 (prefix, channel) pairs", () -> received.size() == 9
                && received.values().stream().allMatch(l -> l.size() >= 5), Duration.ofSeconds(15));
        for (Map.Entry<HostAndPort, String> e : prefixes.entrySet()) {
            String prefix = e.getValue();
            for (String channel : channels) {
                assertThat(received.get(prefix + "/" + channel)).as("deliveries of %s/%s", prefix, channel)
                        .containsExactly(prefix + "-0", prefix + "-1", prefix + "-2", prefix + "-3", prefix + "-4");
                String key = "{" + prefix + "}:" + channel;
                for (HostAndPort master : prefixes.keySet()) {
                    try (Jedis j = cluster.get().node(master)) {
                        if (master.equals(e.getKey())) {
                            assertThat(j.xlen(key)).as("entries of %s on its owner %s", key, master).isEqualTo(5L);
                        } else {
                            // COUNTKEYSINSLOT counts the keys this node holds, whoever owns the slot.
                            assertThat(j.clusterCountKeysInSlot(slotOf(prefix)))
                                    .as("keys of prefix %s on master %s, not its owner", prefix, master).isZero();
                        }
                    }
                }
            }
        }
    }

    /**
     * A resharding moves the prefix's slot, key by key, to another master while a publisher and a
     * subscriber run: publishes and reads meet {@code ASK} and {@code TRYAGAIN} while the slot is half
     * moved and {@code MOVED} once it is, wait, and follow it to the new owner; nothing fails and
     * nothing is lost.
     */
    @Test
    @Order(5)
    void whileThePrefixSlotMovesToAnotherMasterNoPublishFailsAndNothingIsLost() throws Exception {
        Map<String, String> options = Map.of("prefix", "moving", "publishTimeout", "10s", "connectTimeout", "1s");
        Backplane publisher = open(options);
        Backplane subscriber = open(options);
        int slot = slotOf("moving");
        HostAndPort from = cluster.get().masterOf(slot);
        HostAndPort to = cluster.get().masters().stream().filter(m -> !m.equals(from)).findFirst().orElseThrow();
        FailoverLoad load = FailoverLoad.start(publisher, subscriber, "steady", Duration.ofMillis(5));
        Await.until("50 deliveries before the move", () -> load.delivered() >= 50, Duration.ofSeconds(15));
        load.fault();
        int keys = cluster.get().moveSlot(slot, to, Duration.ofMillis(100));
        Await.until("200 publishes settled after the move began", () -> load.settledSinceFault() >= 200,
                Duration.ofSeconds(60));
        FailoverLoad.Report report = load.stop(Duration.ofSeconds(15));
        System.out.println("Streams Redis Cluster resharding (slot " + slot + ", " + keys + " keys, " + from + " -> "
                + to + "): " + report.summary());

        assertThat(report.failed()).as("publishes that failed while the slot moved").isEmpty();
        assertThat(report.lost()).as("publishes that completed and were never delivered").isEmpty();
        assertThat(report.messagesShown()).as("no cluster error words reached the user")
                .noneMatch(m -> m.contains("MOVED") || m.contains("ASK") || m.contains("TRYAGAIN"));
        try (Jedis source = cluster.get().node(from); Jedis target = cluster.get().node(to)) {
            assertThat(source.clusterCountKeysInSlot(slot)).as("keys of the prefix left on %s", from).isZero();
            assertThat(target.xlen("{moving}:steady")).as("entries on the new owner %s", to)
                    .isGreaterThanOrEqualTo(report.publishes().size());
        }
    }

    /**
     * With {@code waitReplicas=1}: every publish that completed before the kill is on the replica the
     * cluster promotes, so none is lost; the backplane finds the new owner of the prefix's slot by
     * itself, and no cluster error word reaches the user. After the promotion the new master has no
     * replica left, so WAIT cannot be met: publishes are still added and delivered, but fail as
     * outcome unknown, saying so.
     */
    @Test
    @Order(10)
    void afterTheMasterOfThePrefixIsKilledNoPublishThatCompletedIsLostAndDeliveriesResumeOnThePromotedReplica()
            throws Exception {
        Map<String, String> options = Map.of("prefix", "failover", "publishTimeout", "10s", "connectTimeout", "1s",
                "waitReplicas", "1", "waitTimeout", "1s");
        Backplane publisher = open(options);
        Backplane subscriber = open(options);
        int slot = slotOf("failover");
        HostAndPort owner = cluster.get().masterOf(slot);
        FailoverLoad load = FailoverLoad.start(publisher, subscriber, "steady", Duration.ofMillis(10));
        Await.until("50 deliveries before the kill", () -> load.delivered() >= 50, Duration.ofSeconds(15));
        cluster.get().killMaster(owner); // SIGKILL, and waits for the process to end
        load.fault();
        HostAndPort promoted = cluster.get().awaitPromotion(owner, slot, Duration.ofSeconds(60));
        Await.until("300 publishes settled after the kill", () -> load.settledSinceFault() >= 300,
                Duration.ofSeconds(60));
        FailoverLoad.Report report = load.stop(Duration.ofSeconds(15));
        System.out.println("Streams Redis Cluster failover (" + owner + " killed, " + promoted
                + " promoted, waitReplicas=1): " + report.summary());

        assertThat(report.lost()).as("publishes that completed and were never delivered").isEmpty();
        assertThat(report.firstDeliveryAfterFaultMillis()).as("a message published after the kill was delivered")
                .isBetween(0L, 60_000L);
        assertThat(report.messagesShown()).as("no cluster error words reached the user")
                .noneMatch(m -> m.contains("READONLY") || m.contains("MOVED") || m.contains("CLUSTERDOWN"));
        assertThat(report.failed()).as("publishes the promoted master, with no replica left, could not have confirmed")
                .allSatisfy(p -> assertThat(p.failure()).isInstanceOf(PublishOutcomeUnknownException.class)
                        .hasMessageContaining("of the 1 replica(s) asked for (option waitReplicas)"));
    }
}
