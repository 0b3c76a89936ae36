package dev.backplane.redis.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.brokers.SentinelRedis;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * What {@code waitReplicas=1} costs a publish on Redis Streams through Sentinel (a master and one
 * replica on loopback): the latency of one publish at a time, and the throughput with 100 in
 * flight, with and without {@code WAIT}, alternating three times. Not in the default suite (its
 * name ends in Probe): {@code ./mvnw -B -o -pl backplane-redis-streams verify -DskipFuzzTests
 * -Dtest=RedisStreamsWaitCostProbe -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class RedisStreamsWaitCostProbe {

    private static final int SEQUENTIAL = 2000;
    private static final int WINDOWED = 20_000;

    @RegisterExtension
    static final SentinelRedis.PerClass deployment = new SentinelRedis.PerClass();

    @Test
    void everyPublishWithAndWithoutWaitIsStoredOnTheReplicaAndTheCostIsPrinted() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            for (boolean wait : new boolean[] {false, true}) {
                String prefix = "probe" + round + (wait ? "w" : "n");
                Map<String, String> options = wait ? Map.of("prefix", prefix, "waitReplicas", "1")
                        : Map.of("prefix", prefix);
                try (Backplane b = Backplanes.open(URI.create(deployment.get().uri("redis-sentinel-streams")), options)) {
                    long[] micros = new long[SEQUENTIAL];
                    for (int i = 0; i < SEQUENTIAL; i++) {
                        long start = System.nanoTime();
                        b.publish("seq", new byte[128]).get(10, TimeUnit.SECONDS);
                        micros[i] = (System.nanoTime() - start) / 1000;
                    }
                    Arrays.sort(micros);
                    long start = System.nanoTime();
                    List<CompletableFuture<?>> window = new ArrayList<>();
                    for (int i = 0; i < WINDOWED; i++) {
                        window.add(b.publish("win", new byte[128]));
                        if (window.size() == 100) {
                            for (CompletableFuture<?> f : window) {
                                f.get(10, TimeUnit.SECONDS);
                            }
                            window.clear();
                        }
                    }
                    for (CompletableFuture<?> f : window) {
                        f.get(10, TimeUnit.SECONDS);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    lines.add(String.format("round %d, %-15s one at a time: p50 %d us, p99 %d us, max %d us; "
                            + "100 in flight: %.0f msg/s", round, wait ? "waitReplicas=1" : "no WAIT",
                            micros[SEQUENTIAL / 2], micros[SEQUENTIAL * 99 / 100], micros[SEQUENTIAL - 1],
                            WINDOWED / seconds));
                }
                try (Jedis replica = deployment.get().server(deployment.get().replicaAddress())) {
                    // With WAIT the entries are there as the futures complete; without it, shortly after.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (replica.xlen(prefix + ":win") < Math.min(WINDOWED, 10_000) && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(replica.xlen(prefix + ":seq")).as("sequential publishes on the replica")
                            .isEqualTo(SEQUENTIAL);
                }
            }
        }
        lines.forEach(System.out::println);
    }
}
