package dev.backplane.redis.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.brokers.LeaveOutByDefault;
import dev.backplane.brokers.SecureRedis;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Redis Streams backplane against the whole transport kit on a TLS-only Redis that requires
 * client certificates ({@code tls-auth-clients yes}), logged in as an ACL user with the least
 * privilege the README gives, for the kit's prefixes: the kit makes a random prefix per rule,
 * {@code tck-xxxxxxxx}, and derives others from it (upper case, with a suffix, and 64-character
 * ones starting with {@code a} or {@code b}), so the user's key patterns are
 * {@code ~tck-* ~TCK-* ~atck-* ~btck-*} instead of one {@code ~prefix:*}. The outage and restart
 * rules stop and start this server (its append-only file keeps the streams) like the plain kit's.
 * At the end, Redis's ACL LOG must hold nothing it refused that user.
 */
@LeaveOutByDefault(value = {"t26_", "t28_", "t44_", "t47_", "t51_", "t52_"},
        because = LeaveOutByDefault.SAME_TIMERS_OVER_TLS)
class RedisStreamsSecureTckTest extends BackplaneTck {

    static final String USER = "kit";
    static final String PASSWORD = "kit-pw";
    static SecureRedis redis;

    @BeforeAll
    static void startRedis() {
        redis = SecureRedis.tls().clientAuth("yes")
                .user(USER, PASSWORD, SecureStreamsSupport.streamsAcl("tck-*", "TCK-*", "atck-*", "btck-*"))
                .start();
    }

    @AfterAll
    static void nothingWasRefusedAndStopRedis() {
        try {
            if (redis != null) {
                assertThat(SecureStreamsSupport.aclLog(redis, USER)).as("what Redis refused the kit's user (its ACL LOG)")
                        .isEmpty();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Override
    protected String backplaneUri() {
        return redis.uri("rediss-streams", USER, PASSWORD);
    }

    @Override
    protected Map<String, String> extraOptions() {
        return redis.mutualTlsOptions();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(redis::stop, redis::start);
    }

    @Override
    protected Optional<InetSocketAddress> brokerAddress() {
        return Optional.of(new InetSocketAddress(redis.host(), redis.port()));
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return StreamsTestSupport.retainingOnly(messages);
    }
}
