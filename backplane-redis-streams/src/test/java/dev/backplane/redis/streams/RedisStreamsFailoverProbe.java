package dev.backplane.redis.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.brokers.FailoverLoad;
import dev.backplane.brokers.SentinelRedis;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A failover of Redis Streams through Sentinel without {@code waitReplicas}: what resumes when, and
 * how many publishes that completed on the old master never reached the promoted replica. Not in
 * the default suite (its name ends in Probe): {@code ./mvnw -B -o -pl backplane-redis-streams verify
 * -DskipFuzzTests -Dtest=RedisStreamsFailoverProbe -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class RedisStreamsFailoverProbe {

    @RegisterExtension
    static final SentinelRedis.PerClass deployment = new SentinelRedis.PerClass();

    @Test
    void withoutWaitPublishingResumesOnThePromotedReplicaAndTheLossIsPrinted() throws Exception {
        Map<String, String> options = Map.of("prefix", "nowait", "publishTimeout", "10s", "connectTimeout", "1s");
        URI uri = URI.create(deployment.get().uri("redis-sentinel-streams"));
        try (Backplane publisher = Backplanes.open(uri, options); Backplane subscriber = Backplanes.open(uri, options)) {
            FailoverLoad load = FailoverLoad.start(publisher, subscriber, "steady", Duration.ofMillis(2));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (load.delivered() < 500 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            deployment.get().killMaster(); // SIGKILL, and waits for the process to end
            load.fault();
            deployment.get().awaitPromotion(Duration.ofSeconds(60));
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (load.deliveredSinceFault() < 200 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            FailoverLoad.Report report = load.stop(Duration.ofSeconds(15));
            System.out.println("Streams Sentinel failover (no WAIT): " + report.summary());
            assertThat(report.firstSuccessAfterFaultMillis()).as("publishing resumed").isBetween(0L, 60_000L);
        }
    }
}
