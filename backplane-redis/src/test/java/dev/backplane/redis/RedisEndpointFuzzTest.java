package dev.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * {@link RedisEndpoint#from} on any URI: an endpoint with a host, a port from 1 to 65535 and a
 * database from 0 (for a Sentinel URI, sentinels with such ports and a master name; for a cluster
 * URI, seeds with such ports and database 0), or a {@link BackplaneConfigurationException} with a message, never another
 * exception (credentials, escapes, paths and ports included).
 */
class RedisEndpointFuzzTest {

    @FuzzTest(maxDuration = "3s")
    void readsRedisUris(FuzzedDataProvider data) {
        String scheme = data.pickValue(new String[] {"redis", "rediss", "redis-streams", "rediss-streams",
                "redis-sentinel", "redis-sentinel-streams", "rediss-sentinel", "redis-cluster"});
        String rest = data.consumeRemainingAsString();
        URI uri;
        try {
            uri = new URI(scheme + "://" + rest);
        } catch (URISyntaxException e) {
            return;
        }
        RedisEndpoint endpoint;
        try {
            endpoint = RedisEndpoint.from(BackplaneConfig.of(uri, Map.of()));
        } catch (BackplaneConfigurationException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(endpoint.address().getHost()).isNotEmpty();
        assertThat(endpoint.address().getPort()).isBetween(1, 65535);
        assertThat(endpoint.clientConfig().getDatabase()).isNotNegative();
        assertThat(endpoint.hostAndPort()).isNotNull();
        assertThat(endpoint.userName()).isNotNull();
        assertThat(endpoint.tls()).isEqualTo(scheme.startsWith("rediss"));
        if (scheme.contains("sentinel")) {
            assertThat(endpoint.sentinel().sentinels()).isNotEmpty().allSatisfy(s -> assertThat(s.getPort()).isBetween(1, 65535));
            assertThat(endpoint.sentinel().masterName()).isNotBlank();
        }
        if (scheme.equals("redis-cluster")) {
            assertThat(endpoint.cluster().seeds()).isNotEmpty().allSatisfy(s -> assertThat(s.getPort()).isBetween(1, 65535));
            assertThat(endpoint.clientConfig().getDatabase()).isZero();
        }
    }
}
