package dev.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.Position;
import dev.backplane.brokers.SentinelRedis;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Credentials behind Redis Sentinel: the data nodes' password in the URI, the sentinels' in
 * {@code sentinelPassword}, each refused with a message saying which, on a deployment whose
 * servers and sentinels both require a password ({@link SentinelRedis#withPasswords}).
 */
class RedisSentinelCredentialsTest {

    private static final String DATA = "data-pw";
    private static final String SENTINELS = "sentinel-pw";

    @RegisterExtension
    static final SentinelRedis.PerClass deployment = new SentinelRedis.PerClass(DATA, SENTINELS);

    private static Backplane open(String dataPassword, String sentinelPassword) {
        String uri = deployment.get().uri("redis-sentinel").replace("redis-sentinel://", "redis-sentinel://:" + dataPassword + "@");
        return Backplanes.open(URI.create(uri), Map.of("sentinelPassword", sentinelPassword, "publishTimeout", "5s"));
    }

    @Test
    void theDataPasswordInTheUriAndTheSentinelPasswordOptionLogInToEach() throws Exception {
        try (Backplane backplane = open(DATA, SENTINELS)) {
            assertThat(backplane.publish("c", new byte[] {1}).get(15, TimeUnit.SECONDS)).isEqualTo(Position.NONE);
        }
    }

    @Test
    void aWrongSentinelPasswordFailsThePublishNamingTheSentinelOptions() {
        try (Backplane backplane = open(DATA, "wrong")) {
            assertThatThrownBy(() -> backplane.publish("c", new byte[] {1}).get(15, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("refused this client")
                    .hasMessageContaining("sentinelUser and sentinelPassword")
                    .hasMessageNotContaining("wrong");
        }
    }

    @Test
    void aWrongDataPasswordFailsThePublishAsAuthenticationFailedAtTheMaster() {
        try (Backplane backplane = open("wrong", SENTINELS)) {
            assertThatThrownBy(() -> backplane.publish("c", new byte[] {1}).get(15, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("authentication failed for user 'default'")
                    .hasMessageNotContaining("wrong");
        }
    }
}
