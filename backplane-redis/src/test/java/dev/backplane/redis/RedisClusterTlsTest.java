package dev.backplane.redis;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.HostAndPort;

/**
 * Redis pub/sub on a Redis Cluster over mutual TLS ({@code rediss-cluster://}; three masters on
 * TLS-only ports that ask for a client certificate, the cluster bus and replication on TLS too:
 * {@link ClusterRedis#startMutualTls}): the slot map is read, and every master published to and
 * subscribed on, over TLS with the certificate checked; a client that does not trust the nodes'
 * authority is refused with a message that says so; a user whose ACL allows one prefix's channels
 * (and the least the backplane needs on a cluster) works there and is refused another prefix's.
 */
class RedisClusterTlsTest {

    @RegisterExtension
    static final ClusterRedis.PerClass deployment = new ClusterRedis.PerClass(() -> ClusterRedis.startMutualTls(0,
            List.of(List.of("tenant", "on", ">tenant-pw", "resetchannels", "&tenant:*", "-@all", "+spublish",
                    "+ssubscribe", "+sunsubscribe", "+cluster|slots", "+client|setname"))));
    private final List<Backplane> opened = new ArrayList<>();

    @AfterEach
    void closeBackplanes() {
        opened.forEach(Backplane::close);
    }

    private Backplane open(Map<String, String> options) {
        Backplane b = Backplanes.open(URI.create(deployment.get().uri()), options);
        opened.add(b);
        return b;
    }

    @Test
    void channelsOfEveryShardAreDeliveredOverTls() throws Exception {
        Map<String, String> options = new HashMap<>(deployment.get().clientTlsOptions());
        options.put("prefix", "tls");
        Backplane publisher = open(options);
        Backplane subscriber = open(options);
        Map<HostAndPort, String> channels = new HashMap<>();
        for (int i = 0; channels.size() < 3; i++) {
            channels.putIfAbsent(deployment.get().masterOf(RedisCluster.slot(("tls:c" + i).getBytes(StandardCharsets.US_ASCII))),
                    "c" + i);
        }
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
        for (String channel : channels.values()) {
            for (int i = 0; i < 3; i++) {
                publisher.publish(channel, ("m" + i).getBytes(StandardCharsets.UTF_8)).get(15, TimeUnit.SECONDS);
            }
        }
        Await.until("3 messages on a channel of each of the 3 shards", () -> channels.values().stream()
                .allMatch(c -> received.getOrDefault(c, List.of()).size() == 3), Duration.ofSeconds(15));
        channels.values().forEach(c -> assertThat(received.get(c)).containsExactly("m0", "m1", "m2"));
    }

    @Test
    void aUserRestrictedToOnePrefixPublishesAndSubscribesThereAndIsRefusedAnotherPrefix() throws Exception {
        URI tenant = URI.create(deployment.get().uri().replace("rediss-cluster://", "rediss-cluster://tenant:tenant-pw@"));
        Map<String, String> own = new HashMap<>(deployment.get().clientTlsOptions());
        own.put("prefix", "tenant");
        List<String> received = new CopyOnWriteArrayList<>();
        try (Backplane publisher = Backplanes.open(tenant, own); Backplane subscriber = Backplanes.open(tenant, own)) {
            subscriber.subscribe("c", new Subscriber() {
                @Override
                public void onMessage(Delivery delivery) {
                    received.add(new String(delivery.payload(), StandardCharsets.UTF_8));
                }
            }).get(15, TimeUnit.SECONDS);
            publisher.publish("c", "mine".getBytes(StandardCharsets.UTF_8)).get(15, TimeUnit.SECONDS);
            Await.until("the tenant's message", () -> received.size() == 1, Duration.ofSeconds(15));
        }
        Map<String, String> other = new HashMap<>(deployment.get().clientTlsOptions());
        other.put("prefix", "other");
        try (Backplane intruder = Backplanes.open(tenant, other)) {
            assertThatThrownBy(() -> intruder.publish("c", new byte[] {1}).get(15, TimeUnit.SECONDS))
                    .cause().isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("user 'tenant' lacks a permission");
        }
        assertThat(received).containsExactly("mine");
    }

    @Test
    void aClientThatDoesNotTrustTheNodesIsRefusedSayingTheCertificateIsNotTrusted() {
        Backplane publisher = open(Map.of("prefix", "untrusted", "publishTimeout", "1s", "connectTimeout", "1s"));
        assertThatThrownBy(() -> publisher.publish("c", new byte[] {1}).get(15, TimeUnit.SECONDS))
                .cause().isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("not trusted");
    }
}
