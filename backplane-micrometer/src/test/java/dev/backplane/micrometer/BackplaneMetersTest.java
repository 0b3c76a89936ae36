package dev.backplane.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The backplane meters move as the README's table says, in a short scenario on a private Redis:
 * publish, deliver, an outage (publishes fail, the connection is lost and restored, the
 * subscription reports a gap), and publishing again.
 */
class BackplaneMetersTest {

    private static Broker redis;

    @BeforeAll
    static void startRedis() {
        redis = Brokers.redis();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static double counter(MeterRegistry registry, String name, String... tags) {
        return Search.in(registry).name(name).tags(tags).functionCounter().count();
    }

    private static double gauge(MeterRegistry registry, String name) {
        return Search.in(registry).name(name).gauge().value();
    }

    @Test
    void metersFollowPublishDeliverOutageAndGap() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Backplane backplane = Backplanes.open(java.net.URI.create("redis://" + redis.address()),
                Map.of("prefix", "meters", "publishTimeout", "500ms", "connectTimeout", "2s"));
                BackplaneMeters meters = new BackplaneMeters(backplane)) {
            meters.bindTo(registry);
            List<String> received = new CopyOnWriteArrayList<>();
            List<String> gaps = new CopyOnWriteArrayList<>();
            backplane.subscribe("news", new dev.backplane.Subscriber() {
                @Override
                public void onMessage(dev.backplane.Delivery d) {
                    received.add(new String(d.payload(), StandardCharsets.UTF_8));
                }

                @Override
                public void onGap(dev.backplane.Gap gap) {
                    gaps.add(gap.reason());
                }
            }).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                backplane.publish("news", ("m" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            }
            Waits.until(() -> received.size() == 5, Duration.ofSeconds(10), "5 deliveries");
            assertThat(counter(registry, "backplane.publishes", "transport", "redis", "prefix", "meters")).isEqualTo(5);
            assertThat(counter(registry, "backplane.deliveries")).isEqualTo(5);
            assertThat(Search.in(registry).name("backplane.publish.latency").timer().count()).isEqualTo(5);
            assertThat(gauge(registry, "backplane.connected")).isEqualTo(1);

            redis.stop();
            Waits.until(() -> gauge(registry, "backplane.connected") == 0, Duration.ofSeconds(4),
                    "backplane.connected 0 once Redis is down");
            CompletableFuture<?> during = backplane.publish("news", "during".getBytes(StandardCharsets.UTF_8));
            Waits.until(during::isDone, Duration.ofSeconds(3), "the publish made during the outage settles");
            assertThat(counter(registry, "backplane.publish.failures", "cause", "unavailable")
                    + counter(registry, "backplane.publish.failures", "cause", "outcome_unknown"))
                    .as("publish failures while Redis is down").isEqualTo(1);
            redis.start();
            Waits.until(() -> gauge(registry, "backplane.connected") == 1, Duration.ofSeconds(4),
                    "backplane.connected 1 once Redis is back");
            Waits.until(() -> counter(registry, "backplane.gaps") == 1, Duration.ofSeconds(10),
                    "the subscription's gap counted");
            assertThat(counter(registry, "backplane.reconnects")).isEqualTo(1);
            backplane.publish("news", "after".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            Waits.until(() -> received.contains("after"), Duration.ofSeconds(10), "delivery after the outage");
            assertThat(counter(registry, "backplane.publishes")).isEqualTo(6);
            assertThat(counter(registry, "backplane.deliveries")).isEqualTo(6);
            assertThat(gauge(registry, "backplane.outbox.depth")).isZero();
            assertThat(gauge(registry, "backplane.unacknowledged")).as("at-most-once: nothing to acknowledge").isZero();

            String scrape = registry.scrape();
            assertThat(scrape).contains("backplane_publishes_total{prefix=\"meters\",transport=\"redis\"} 6.0")
                    .contains("backplane_publish_latency_seconds_bucket{")
                    .contains("backplane_publish_failures_total{cause=\"outbox_full\",prefix=\"meters\",transport=\"redis\"} 0.0");
            Path out = Path.of("target", "scrape-backplane-redis.txt");
            Files.writeString(out, scrape);
        }
    }
}
