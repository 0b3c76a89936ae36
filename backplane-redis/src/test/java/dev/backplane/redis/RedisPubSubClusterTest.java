package dev.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.Delivery;
import dev.backplane.Subscriber;
import dev.backplane.brokers.Await;
import dev.backplane.brokers.ClusterRedis;
import dev.backplane.brokers.FailoverLoad;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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

/**
 * Redis pub/sub on a Redis Cluster (three masters, three replicas: {@link ClusterRedis}): channels
 * are placed by slot, published with SPUBLISH to their shard only and subscribed with SSUBSCRIBE on
 * one connection per shard; a killed master's channels resume on the promoted replica with the
 * loss reported as a gap. The failover test runs last, as it kills a master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisPubSubClusterTest {

    @RegisterExtension
    static final ClusterRedis.PerClass cluster = new ClusterRedis.PerClass();
    private final List<Backplane> opened = new ArrayList<>();
    /** The master the failover test promoted: it has no replica left, so the next test kills another. */
    private static volatile HostAndPort promotedEarlier;

    @AfterEach
    void closeBackplanes() {
        opened.forEach(Backplane::close);
    }

    private Backplane open(Map<String, String> options) {
        Backplane b = Backplanes.open(URI.create(cluster.get().uri()), options);
        opened.add(b);
        return b;
    }

    /** One channel name per master, each hashing to a slot that master owns. */
    private static Map<HostAndPort, String> channelPerMaster(String prefix) {
        Map<HostAndPort, String> channels = new HashMap<>();
        for (int i = 0; channels.size() < 3; i++) {
            String channel = "c" + i;
            channels.putIfAbsent(cluster.get().masterOf(slot(prefix, channel)), channel);
        }
        return channels;
    }

    private static int slot(String prefix, String channel) {
        return RedisCluster.slot((prefix + ":" + channel).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    @Order(1)
    void messagesOnChannelsOfEveryShardReachTheirSubscribersAndEachPublishTouchesOnlyItsShard() throws Exception {
        String prefix = "shards";
        Map<HostAndPort, String> channels = channelPerMaster(prefix);
        Backplane publisher = open(Map.of("prefix", prefix));
        Backplane subscriber = open(Map.of("prefix", prefix));
        Map<String, List<String>> received = new ConcurrentHashMap<>();
        for (String channel : channels.values()) {
            subscriber.subscribe(channel, new Subscriber() {
                @Override
                public void onMessage(Delivery delivery) {
                    received.computeIfAbsent(delivery.channel(), c -> new CopyOnWriteArrayList<>())
                            .add(new String(delivery.payload(), StandardCharsets.UTF_8));
                }
            }).get(15, TimeUnit.SECONDS);
        }
        for (Map.Entry<HostAndPort, String> e : channels.entrySet()) {
            String redisName = prefix + ":" + e.getValue();
            for (HostAndPort master : channels.keySet()) {
                try (Jedis j = cluster.get().node(master)) {
                    assertThat(j.pubsubShardNumSub(redisName).get(redisName))
                            .as("subscribers of %s on master %s (owner %s)", redisName, master, e.getKey())
                            .isEqualTo(master.equals(e.getKey()) ? 1L : 0L);
                }
            }
        }
        for (Map.Entry<HostAndPort, String> target : channels.entrySet()) {
            Map<HostAndPort, Long> before = spublishCalls(channels.keySet());
            for (int i = 0; i < 5; i++) {
                publisher.publish(target.getValue(), ("m" + i).getBytes(StandardCharsets.UTF_8)).get(15, TimeUnit.SECONDS);
            }
            Map<HostAndPort, Long> after = spublishCalls(channels.keySet());
            for (HostAndPort master : channels.keySet()) {
                assertThat(after.get(master) - before.get(master))
                        .as("SPUBLISH calls on %s for channel %s owned by %s", master, target.getValue(), target.getKey())
                        .isEqualTo(master.equals(target.getKey()) ? 5L : 0L);
            }
        }
        Await.until("5 messages on a channel of each shard",
                () -> channels.values().stream().allMatch(c -> received.getOrDefault(c, List.of()).size() == 5),
                Duration.ofSeconds(15));
        for (String channel : channels.values()) {
            assertThat(received.get(channel)).containsExactly("m0", "m1", "m2", "m3", "m4");
        }
    }

    @Test
    @Order(2)
    void aBackplaneHoldsOneSubscriberConnectionPerShardWhateverTheNumberOfChannels() throws Exception {
        String prefix = "pershard";
        Backplane subscriber = open(Map.of("prefix", prefix, "clientName", "backplane-pershard"));
        int channels = 30;
        for (int i = 0; i < channels; i++) {
            subscriber.subscribe("ch" + i, new Subscriber() {
                @Override
                public void onMessage(Delivery delivery) {
                }
            }).get(15, TimeUnit.SECONDS);
        }
        int total = 0;
        for (HostAndPort master : cluster.get().masters()) {
            List<String> ours;
            try (Jedis j = cluster.get().node(master)) {
                ours = j.clientList().lines().filter(l -> l.contains(" name=backplane-pershard ")).toList();
            }
            assertThat(ours).as("connections of the backplane on master %s", master).hasSize(1);
            int sharded = Integer.parseInt(ours.get(0).replaceAll(".* ssub=(\\d+) .*", "$1"));
            total += sharded - 1; // less the shard's control channel
        }
        assertThat(total).as("channels subscribed across the shards").isEqualTo(channels);
    }

    /**
     * A resharding moves a subscribed channel's slot to another master while a publisher and a
     * subscriber run: publishes follow {@code ASK} and {@code MOVED} and none fails; Redis ends the
     * shard subscription when its slot leaves ({@code sunsubscribe}), the subscriber subscribes again
     * on the new owner, and what was published in between is reported as a gap.
     */
    @Test
    @Order(5)
    void whileASubscribedChannelsSlotMovesToAnotherMasterNoPublishFailsAndDeliveriesFollowIt() throws Exception {
        Map<String, String> options = Map.of("prefix", "moving", "publishTimeout", "10s", "connectTimeout", "1s");
        Backplane publisher = open(options);
        Backplane subscriber = open(options);
        int slot = slot("moving", "steady");
        HostAndPort from = cluster.get().masterOf(slot);
        HostAndPort to = cluster.get().masters().stream().filter(m -> !m.equals(from)).findFirst().orElseThrow();
        FailoverLoad load = FailoverLoad.start(publisher, subscriber, "steady", Duration.ofMillis(5));
        Await.until("50 deliveries before the move", () -> load.delivered() >= 50, Duration.ofSeconds(15));
        load.fault();
        cluster.get().moveSlot(slot, to, Duration.ofMillis(100));
        Await.until("100 deliveries of publishes after the move began", () -> load.deliveredSinceFault() >= 100,
                Duration.ofSeconds(60));
        FailoverLoad.Report report = load.stop(Duration.ofSeconds(5));
        System.out.println("pub/sub Redis Cluster resharding (slot " + slot + ", " + from + " -> " + to + "): "
                + report.summary());

        assertThat(report.failed()).as("publishes that failed while the slot moved").isEmpty();
        assertThat(report.messagesShown()).as("no cluster error words reached the user")
                .noneMatch(m -> m.contains("MOVED") || m.contains("ASK") || m.contains("TRYAGAIN"));
        if (!report.lost().isEmpty()) {
            assertThat(report.gaps()).as("the subscription was told of the messages it missed").isNotEmpty();
            long lastGap = report.gaps().get(report.gaps().size() - 1).reportedNanos();
            for (FailoverLoad.Publish lost : report.lost()) {
                assertThat(lost.calledNanos()).as("message %d, lost, was published before the gap was reported",
                        lost.sequence()).isLessThanOrEqualTo(lastGap);
            }
        }
        try (Jedis target = cluster.get().node(to)) {
            assertThat(target.pubsubShardNumSub("moving:steady").get("moving:steady"))
                    .as("subscribers of the channel on its new owner %s", to).isEqualTo(1L);
        }
    }

    @Test
    @Order(10)
    void afterAMasterIsKilledPublishesAndDeliveriesResumeOnThePromotedReplicaWithTheLossReportedAsAGap()
            throws Exception {
        Map<String, String> options = Map.of("prefix", "failover", "publishTimeout", "10s", "connectTimeout", "1s");
        Backplane publisher = open(options);
        Backplane subscriber = open(options);
        int slot = slot("failover", "steady");
        HostAndPort owner = cluster.get().masterOf(slot);
        FailoverLoad load = FailoverLoad.start(publisher, subscriber, "steady", Duration.ofMillis(10));
        Await.until("50 deliveries before the kill", () -> load.delivered() >= 50, Duration.ofSeconds(15));
        cluster.get().killMaster(owner); // SIGKILL, and waits for the process to end
        load.fault();
        HostAndPort promoted = cluster.get().awaitPromotion(owner, slot, Duration.ofSeconds(60));
        promotedEarlier = promoted;
        Await.until("50 deliveries of publishes after the kill", () -> load.deliveredSinceFault() >= 50,
                Duration.ofSeconds(60));
        FailoverLoad.Report report = load.stop(Duration.ofSeconds(5));
        System.out.println("pub/sub Redis Cluster failover (" + owner + " killed, " + promoted + " promoted): "
                + report.summary());

        assertThat(report.firstSuccessAfterFaultMillis()).as("a publish called after the kill succeeded")
                .isBetween(0L, 60_000L);
        assertThat(report.firstDeliveryAfterFaultMillis()).as("a message published after the kill was delivered")
                .isBetween(0L, 60_000L);
        assertThat(report.gaps()).as("the subscription was told of the outage").isNotEmpty();
        assertThat(report.messagesShown()).as("no cluster error words reached the user")
                .noneMatch(m -> m.contains("READONLY") || m.contains("MOVED") || m.contains("CLUSTERDOWN"));
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

    @Test
    @Order(11)
    void aPublishWhoseShardHasNoMasterWithinThePublishTimeoutFailsAsUnavailableWithoutClusterErrorWords()
            throws Exception {
        Backplane publisher = open(Map.of("prefix", "short", "publishTimeout", "500ms", "connectTimeout", "1s"));
        HostAndPort target = cluster.get().masters().stream().filter(m -> !m.equals(promotedEarlier)).findFirst()
                .orElseThrow();
        String channel = null;
        for (int i = 0; channel == null; i++) {
            if (cluster.get().masterOf(slot("short", "x" + i)).equals(target)) {
                channel = "x" + i;
            }
        }
        publisher.publish(channel, new byte[] {1}).get(15, TimeUnit.SECONDS);
        cluster.get().killMaster(target);
        List<Throwable> failures = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean succeededAgain = false;
        while (!succeededAgain) {
            assertThat(System.nanoTime()).as("a publish succeeded again within 60 s").isLessThan(deadline);
            try {
                publisher.publish(channel, new byte[] {2}).get(15, TimeUnit.SECONDS);
                succeededAgain = !failures.isEmpty();
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        assertThat(failures).as("publishes while the shard had no master").isNotEmpty()
                .allSatisfy(f -> {
                    assertThat(f).isInstanceOf(dev.backplane.BrokerUnavailableException.class);
                    for (Throwable t = f; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage())).doesNotContain("MOVED", "CLUSTERDOWN", "READONLY");
                    }
                });
    }

    private static Map<HostAndPort, Long> spublishCalls(Iterable<HostAndPort> masters) {
        Map<HostAndPort, Long> calls = new HashMap<>();
        for (HostAndPort master : masters) {
            try (Jedis j = cluster.get().node(master)) {
                String stats = j.info("commandstats");
                long n = stats.lines().filter(l -> l.startsWith("cmdstat_spublish:")).findFirst()
                        .map(l -> Long.parseLong(l.replaceAll("cmdstat_spublish:calls=(\\d+),.*", "$1"))).orElse(0L);
                calls.put(master, n);
            }
        }
        return calls;
    }
}
