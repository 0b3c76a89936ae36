package dev.backplane.redis.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.Delivery;
import dev.backplane.Subscriber;
import dev.backplane.brokers.Await;
import dev.backplane.brokers.ClusterRedis;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis Streams on a Redis Cluster over TLS ({@code rediss-cluster-streams://}; three masters on
 * TLS-only ports, {@link ClusterRedis#startTls}): the slot map is read and the prefix's master used
 * over TLS with its certificate checked, and a client that does not trust the nodes is refused
 * when it opens, saying so.
 */
class RedisStreamsClusterTlsTest {

    @RegisterExtension
    static final ClusterRedis.PerClass deployment = new ClusterRedis.PerClass(() -> ClusterRedis.startTls(0));

    private static URI uri() {
        return URI.create(deployment.get().uri("rediss-cluster-streams"));
    }

    @Test
    void messagesArePublishedAndReadOverTlsOnTheMasterOfThePrefix() throws Exception {
        Map<String, String> options = new HashMap<>(deployment.get().clientTlsOptions());
        options.put("prefix", "tls");
        List<String> received = new CopyOnWriteArrayList<>();
        try (Backplane publisher = Backplanes.open(uri(), options); Backplane subscriber = Backplanes.open(uri(), options)) {
            subscriber.subscribe("c", new Subscriber() {
                @Override
                public void onMessage(Delivery delivery) {
                    received.add(new String(delivery.payload(), StandardCharsets.UTF_8));
                    delivery.ack();
                }
            }).get(15, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                publisher.publish("c", ("m" + i).getBytes(StandardCharsets.UTF_8)).get(15, TimeUnit.SECONDS);
            }
            Await.until("3 deliveries", () -> received.size() >= 3, Duration.ofSeconds(15));
        }
        assertThat(received).containsExactly("m0", "m1", "m2");
    }

    @Test
    void aClientThatDoesNotTrustTheNodesIsRefusedAtOpenSayingTheCertificateIsNotTrusted() {
        assertThatThrownBy(() -> Backplanes.open(uri(), Map.of("prefix", "untrusted", "connectTimeout", "1s")).close())
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("not trusted");
    }
}
