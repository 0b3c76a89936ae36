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
    void redissHandsJedisTheTlsSettingsSocketFactoryAndParametersWithTheHostCheckOnByDefault() {
        RedisEndpoint tls = endpoint("rediss://cache.example:6380");
        assertThat(tls.tlsSettings().enabled()).isTrue();
        assertThat(tls.clientConfig().getSslSocketFactory()).isNotNull();
        assertThat(tls.clientConfig().getSslParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(tls.clientConfig().getHostnameVerifier()).as("the host is checked in the handshake").isNull();
        assertThat(tls.clientConfig().getSslOptions()).isNull();
    }

    @Test
    void tlsVerifyHostnameFalseLeavesTheHostCheckOutButStillVerifiesTheCertificate() {
        RedisEndpoint tls = endpoint("rediss://cache.example:6380?tlsVerifyHostname=false");
        assertThat(tls.clientConfig().getSslParameters()).as("never null: Jedis would check the host then").isNotNull();
        assertThat(tls.clientConfig().getSslParameters().getEndpointIdentificationAlgorithm()).isNull();
        assertThat(tls.clientConfig().getSslSocketFactory()).isNotNull();
    }

    @Test
    void tlsOptionsAreAcceptedOptionsButRefusedOnAPlainScheme() {
        assertThat(RedisEndpoint.OPTIONS).contains("clientName", "tlsCaFile", "tlsTrustStore", "tlsCertFile",
                "tlsKeyFile", "tlsKeyStore", "tlsVerifyHostname");
        assertThatThrownBy(() -> endpoint("redis://cache.example?tlsVerifyHostname=false"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("[tlsVerifyHostname]")
                .hasMessageContaining("not a TLS one");
        assertThatThrownBy(() -> endpoint("redis-streams://cache.example?tlsVerifyHostname=false"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("[tlsVerifyHostname]");
        assertThat(endpoint("rediss-streams://cache.example?tlsVerifyHostname=false").tls()).isTrue();
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
        for (String uri : new String[] {"redis://secret@cache.example:7000", "redis://:secret@cache.example:7000"}) {
            RedisEndpoint e = endpoint(uri);
            assertThat(e.clientConfig().getUser()).as(uri).isNull();
            assertThat(e.clientConfig().getPassword()).as(uri).isEqualTo("secret");
            assertThat(e.userName()).as(uri).isEqualTo("default");
        }
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
