package dev.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.fixture.LoopbackPorts;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

/** How a Redis Sentinel URI is read, and the errors a bad one gets at the call. No server needed. */
class RedisSentinelUriTest {

    private static RedisEndpoint endpoint(String uri) {
        return RedisEndpoint.from(BackplaneConfig.of(URI.create(uri), Map.of()));
    }

    @Test
    void aSentinelUriNamesEverySentinelTheMasterAndTheDataNodesCredentials() {
        RedisEndpoint e = endpoint("redis-sentinel://app:s3cret@10.0.0.1:26380,10.0.0.2:26381,10.0.0.3:26382/2"
                + "?master=cache&sentinelUser=watcher&sentinelPassword=p4ss");
        assertThat(e.sentinel().sentinels()).containsExactly(new HostAndPort("10.0.0.1", 26380),
                new HostAndPort("10.0.0.2", 26381), new HostAndPort("10.0.0.3", 26382));
        assertThat(e.sentinel().masterName()).isEqualTo("cache");
        assertThat(e.clientConfig().getUser()).isEqualTo("app");
        assertThat(e.clientConfig().getPassword()).isEqualTo("s3cret");
        assertThat(e.clientConfig().getDatabase()).isEqualTo(2);
        assertThat(e.hostAndPort()).isEqualTo("master 'cache' via sentinels 10.0.0.1:26380,10.0.0.2:26381,10.0.0.3:26382");
        e.close();
    }

    @Test
    void aSentinelWithoutAPortIsOnSentinelsDefaultPort() {
        assertThat(endpoint("redis-sentinel://a,b:1/?master=m").sentinel().sentinels())
                .containsExactly(new HostAndPort("a", 26379), new HostAndPort("b", 1));
    }

    @Test
    void aMissingOrEmptyMasterNameIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> endpoint("redis-sentinel://a:1,b:2/"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("names no master")
                .hasMessageContaining("?master=NAME");
        assertThatThrownBy(() -> endpoint("redis-sentinel-streams://a:1/?master="))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("names no master");
    }

    @Test
    void anEmptySentinelListOrAnEmptyEntryIsRefused() {
        assertThatThrownBy(() -> endpoint("redis-sentinel:///?master=m"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("names no sentinel");
        assertThatThrownBy(() -> endpoint("redis-sentinel://a:1,,b:2/?master=m"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("an empty sentinel");
        assertThatThrownBy(() -> endpoint("redis-sentinel://:1/?master=m"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("without a host");
        assertThatThrownBy(() -> endpoint("redis-sentinel://a:1,a:1/?master=m"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("names a sentinel twice");
    }

    @Test
    void aBadPortIsRefusedNamingTheSentinelAndThePort() {
        for (String port : new String[] {"0", "65536", "x", "-1", ""}) {
            assertThatThrownBy(() -> endpoint("redis-sentinel://a:1,b:" + port + "/?master=m"))
                    .as("port '%s'", port)
                    .isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("sentinel 'b:" + port + "' with port '" + port + "'")
                    .hasMessageContaining("from 1 to 65535");
        }
    }

    @Test
    void sentinelOptionsOnAUriThatNamesTheServerAreRefused() {
        assertThatThrownBy(() -> endpoint("redis://cache:6379?master=m"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'master' is for Redis Sentinel URIs");
        assertThatThrownBy(() -> endpoint("redis-streams://cache:6379?sentinelPassword=x"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'sentinelPassword' is for Redis Sentinel URIs")
                .hasMessageNotContaining("=x");
    }

    @Test
    void aSentinelUserWithoutPasswordIsRefused() {
        assertThatThrownBy(() -> endpoint("redis-sentinel://a:1/?master=m&sentinelUser=u"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("'sentinelUser' needs option 'sentinelPassword'");
    }

    @Test
    void sentinelOverTlsIsRefusedRatherThanSentInTheClear() {
        assertThatThrownBy(() -> endpoint("rediss-sentinel://a:1/?master=m"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("Redis Sentinel over TLS is not supported");
    }

    @Test
    void passwordsNeverAppearInTheErrors() {
        assertThatThrownBy(() -> endpoint("redis-sentinel://u:s3cret@a:1,b:x/?master=m&sentinelPassword=p4ss"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("p4ss");
    }

    @Test
    void withNoSentinelListeningAPublishFailsWithinThePublishTimeoutSayingNoSentinelCouldTell() throws Exception {
        int closed = LoopbackPorts.freePort();
        try (Backplane backplane = Backplanes.open(URI.create("redis-sentinel://127.0.0.1:" + closed + "/?master=m"),
                Map.of("publishTimeout", "1s", "connectTimeout", "300ms"))) {
            assertThatThrownBy(() -> backplane.publish("c", new byte[] {1}).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("no sentinel could tell where master 'm' via sentinels 127.0.0.1:" + closed);
        }
    }
}
