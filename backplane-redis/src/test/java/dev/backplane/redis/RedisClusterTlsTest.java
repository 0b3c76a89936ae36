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
 * Redis pub/sub on a Redis Cluster over TLS ({@code rediss-cluster://}; three masters on TLS-only
 * ports, the cluster bus and replication on TLS too: {@link ClusterRedis#startTls}): the slot map is
 * read, and every master published to and subscribed on, over TLS with the certificate checked; a
 * client that does not trust the nodes' authority is refused with a message that says so.
 */
class RedisClusterTlsTest {

    @RegisterExtension
    static final ClusterRedis.PerClass deployment = new ClusterRedis.PerClass(() -> ClusterRedis.startTls(0));
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
    void aClientThatDoesNotTrustTheNodesIsRefusedSayingTheCertificateIsNotTrusted() {
        Backplane publisher = open(Map.of("prefix", "untrusted", "publishTimeout", "1s", "connectTimeout", "1s"));
        assertThatThrownBy(() -> publisher.publish("c", new byte[] {1}).get(15, TimeUnit.SECONDS))
                .cause().isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("not trusted");
    }
}
