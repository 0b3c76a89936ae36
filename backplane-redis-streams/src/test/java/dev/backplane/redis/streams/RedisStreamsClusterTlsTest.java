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
 * Redis Streams on a Redis Cluster over mutual TLS ({@code rediss-cluster-streams://}; three masters
 * on TLS-only ports that ask for a client certificate, {@link ClusterRedis#startMutualTls}): the
 * slot map is read and the prefix's master used over TLS with its certificate checked; a client
 * that does not trust the nodes is refused when it opens, saying so; a user whose ACL allows one
 * prefix's keys ({@code ~{prefix}:*}) works there and is refused at open on another prefix.
 */
class RedisStreamsClusterTlsTest {

    @RegisterExtension
    static final ClusterRedis.PerClass deployment = new ClusterRedis.PerClass(() -> ClusterRedis.startMutualTls(0,
            List.of(List.of("tenant", "on", ">tenant-pw", "resetchannels", "~{tenant}:*", "-@all", "+xadd", "+xread",
                    "+xrevrange", "+xinfo|stream", "+get", "+set", "+del", "+ping", "+client|setname",
                    "+cluster|slots"))));

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
    void aUserRestrictedToOnePrefixWorksThereAndIsRefusedAtOpenOnAnotherPrefix() throws Exception {
        URI tenant = URI.create(uri().toString().replace("rediss-cluster-streams://",
                "rediss-cluster-streams://tenant:tenant-pw@"));
        Map<String, String> own = new HashMap<>(deployment.get().clientTlsOptions());
        own.put("prefix", "tenant");
        List<String> received = new CopyOnWriteArrayList<>();
        try (Backplane publisher = Backplanes.open(tenant, own); Backplane subscriber = Backplanes.open(tenant, own)) {
            subscriber.subscribe("c", new Subscriber() {
                @Override
                public void onMessage(Delivery delivery) {
                    received.add(new String(delivery.payload(), StandardCharsets.UTF_8));
                    delivery.ack();
                }
            }).get(15, TimeUnit.SECONDS);
            publisher.publish("c", "mine".getBytes(StandardCharsets.UTF_8)).get(15, TimeUnit.SECONDS);
            Await.until("the tenant's message", () -> received.size() == 1, Duration.ofSeconds(15));
        }
        Map<String, String> other = new HashMap<>(deployment.get().clientTlsOptions());
        other.put("prefix", "other");
        assertThatThrownBy(() -> Backplanes.open(tenant, other).close())
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("Redis user 'tenant'").hasMessageContaining("has no permission");
        assertThat(received).containsExactly("mine");
    }

    @Test
    void aClientThatDoesNotTrustTheNodesIsRefusedAtOpenSayingTheCertificateIsNotTrusted() {
        assertThatThrownBy(() -> Backplanes.open(uri(), Map.of("prefix", "untrusted", "connectTimeout", "1s")).close())
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("not trusted");
    }
}
