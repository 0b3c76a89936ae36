package dev.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

/** How a Redis Cluster URI is read, and the errors a bad one gets at the call. No server needed. */
class RedisClusterUriTest {

    private static RedisEndpoint endpoint(String uri) {
        return endpoint(uri, Map.of());
    }

    private static RedisEndpoint endpoint(String uri, Map<String, String> options) {
        return RedisEndpoint.from(BackplaneConfig.of(URI.create(uri), options));
    }

    @Test
    void aClusterUriNamesEverySeedNodeAndTheCredentials() {
        RedisEndpoint e = endpoint("redis-cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7001,node3:7002");
        assertThat(e.cluster().seeds()).containsExactly(new HostAndPort("10.0.0.1", 7000),
                new HostAndPort("10.0.0.2", 7001), new HostAndPort("node3", 7002));
        assertThat(e.clientConfig().getUser()).isEqualTo("app");
        assertThat(e.clientConfig().getPassword()).isEqualTo("s3cret");
        assertThat(e.sentinel()).isNull();
        assertThat(e.hostAndPort()).isEqualTo("cluster via seeds 10.0.0.1:7000,10.0.0.2:7001,node3:7002");
    }

    @Test
    void theStreamsClusterSchemeNamesTheSameSeeds() {
        RedisEndpoint e = endpoint("redis-cluster-streams://:pw@10.0.0.1:7000,node2:7001");
        assertThat(e.cluster().seeds()).containsExactly(new HostAndPort("10.0.0.1", 7000), new HostAndPort("node2", 7001));
        assertThat(e.clientConfig().getPassword()).isEqualTo("pw");
        assertThat(e.tls()).isFalse();
    }

    @Test
    void aSeedWithoutAPortIsOnRedissDefaultPort() {
        assertThat(endpoint("redis-cluster://a,b:1").cluster().seeds())
                .containsExactly(new HostAndPort("a", 6379), new HostAndPort("b", 1));
    }

    @Test
    void noSeedAnEmptySeedOrASeedWithoutAHostIsRefused() {
        assertThatThrownBy(() -> endpoint("redis-cluster:///"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("names no seed node");
        assertThatThrownBy(() -> endpoint("redis-cluster://a:1,,b:2"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("an empty seed node");
        assertThatThrownBy(() -> endpoint("redis-cluster://a:1,:2"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("without a host");
    }

    @Test
    void aBadPortIsRefusedNamingTheSeedAndTheRange() {
        for (String port : new String[] {"0", "65536", "x"}) {
            assertThatThrownBy(() -> endpoint("redis-cluster://a:1,b:" + port))
                    .isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("seed node 'b:" + port + "'").hasMessageContaining("from 1 to 65535");
        }
    }

    @Test
    void aSeedTwiceADatabaseOrASentinelOptionIsRefused() {
        assertThatThrownBy(() -> endpoint("redis-cluster://a:1,a:1"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("names a seed node twice");
        assertThatThrownBy(() -> endpoint("redis-cluster://a:1/3"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("database 0 only");
        assertThatThrownBy(() -> endpoint("redis-cluster://a:1", Map.of("master", "m")))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("for Redis Sentinel URIs");
    }

    @Test
    void thePasswordNeverAppearsInAnError() {
        assertThatThrownBy(() -> endpoint("redis-cluster://u:hunter2@a:1,b:99999"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageNotContaining("hunter2");
    }

    @Test
    void aShardsControlChannelHashesToTheShardsFirstSlotAndIsNoLogicalChannel() {
        for (int slot : new int[] {0, 5461, 10923, 16383}) {
            byte[] control = ClusterShard.controlChannel("app", slot);
            assertThat(RedisCluster.slot(control)).isEqualTo(slot);
            assertThat(new String(control, StandardCharsets.US_ASCII)).startsWith("app:{");
        }
    }
}
