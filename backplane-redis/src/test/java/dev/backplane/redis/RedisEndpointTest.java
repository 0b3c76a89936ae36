package dev.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a backplane URI becomes a Jedis address and client configuration. No server needed. */
class RedisEndpointTest {

    private static RedisEndpoint endpoint(String uri) {
        return RedisEndpoint.from(BackplaneConfig.of(URI.create(uri), Map.of()));
    }

    @Test
    void redissSchemeTurnsTlsOnInTheJedisConfig() {
        RedisEndpoint tls = endpoint("rediss://cache.example:6380");
        assertThat(tls.tls()).isTrue();
        assertThat(tls.clientConfig().isSsl()).isTrue();
        assertThat(tls.hostAndPort()).isEqualTo("cache.example:6380");
    }

    @Test
    void redisSchemeIsPlainTcpOnPort6379ByDefault() {
        RedisEndpoint plain = endpoint("redis://cache.example");
        assertThat(plain.tls()).isFalse();
        assertThat(plain.clientConfig().isSsl()).isFalse();
        assertThat(plain.address().getPort()).isEqualTo(6379);
    }

    @Test
    void userAndPasswordComeFromTheUriDecoded() {
        RedisEndpoint e = endpoint("redis://app%40eu:p%3Ass@cache.example:7000");
        assertThat(e.clientConfig().getUser()).isEqualTo("app@eu");
        assertThat(e.clientConfig().getPassword()).isEqualTo("p:ss");
        assertThat(e.userName()).isEqualTo("app@eu");
    }

    @Test
    void aPasswordAloneIsForTheDefaultUser() {
        RedisEndpoint e = endpoint("redis://secret@cache.example:7000");
        assertThat(e.clientConfig().getUser()).isNull();
        assertThat(e.clientConfig().getPassword()).isEqualTo("secret");
        assertThat(e.userName()).isEqualTo("default");
    }

    @Test
    void thePathSelectsTheDatabase() {
        assertThat(endpoint("redis://cache.example:7000/5").clientConfig().getDatabase()).isEqualTo(5);
        assertThat(endpoint("redis://cache.example:7000/").clientConfig().getDatabase()).isZero();
    }

    @Test
    void aPathThatIsNotADatabaseNumberIsRefusedNamingTheFix() {
        assertThatThrownBy(() -> endpoint("redis://u:hunter2@cache.example:7000/cache"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("/cache")
                .hasMessageContaining("database number")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void timeoutsComeFromTheCommonOptions() {
        RedisEndpoint e = RedisEndpoint.from(BackplaneConfig.of(URI.create("redis://cache.example:7000"),
                Map.of(BackplaneConfig.CONNECT_TIMEOUT, "750ms", BackplaneConfig.PUBLISH_TIMEOUT, "2s")));
        assertThat(e.clientConfig().getConnectionTimeoutMillis()).isEqualTo(750);
        assertThat(e.clientConfig().getSocketTimeoutMillis()).isEqualTo(2000);
    }
}
