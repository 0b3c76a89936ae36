package dev.backplane.redis;

import static dev.backplane.redis.PubSubTestSupport.await;
import static dev.backplane.redis.PubSubTestSupport.utf8;
import static dev.backplane.redis.SecureRedisSupport.aclLog;
import static dev.backplane.redis.SecureRedisSupport.failsWithin;
import static dev.backplane.redis.SecureRedisSupport.pubSubAcl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.brokers.SecureRedis;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.Recorder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;

/**
 * Credentials and least privilege for the Redis pub/sub backplane, on a TLS-only Redis with ACL
 * users: two tenants, each allowed only its prefix's channels ({@code &a:*}, {@code &b:*}) and the
 * commands the backplane sends (the README's ACL). The right user works fully and Redis refuses it
 * nothing; a wrong password or user fails at once naming the user; a tenant on the other's
 * prefix, or reading and writing the other's channels directly, is refused with NOPERM, never
 * served silently.
 */
class RedisPubSubAclTest {

    private static final String DEFAULT_PASSWORD = "default-pw";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Much longer than the connect timeout: a refused login must not wait for it. */
    private static final Map<String, String> TIMEOUTS = Map.of("connectTimeout", CONNECT_TIMEOUT.toMillis() + "ms",
            "publishTimeout", "20s");

    static SecureRedis redis;

    private final AsyncFailures failures = new AsyncFailures();
    private final SecureRedisSupport support = new SecureRedisSupport();

    @BeforeAll
    static void startRedis() {
        redis = SecureRedis.tls().defaultUserPassword(DEFAULT_PASSWORD)
                .user("tenant-a", "pw-a", pubSubAcl("a:*"))
                .user("tenant-b", "pw-b", pubSubAcl("b:*"))
                .start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeBackplanes() {
        support.close();
        failures.rethrow();
    }

    private Backplane open(String user, String password, String prefix) {
        return openUri(redis.uri("rediss", user, password), prefix);
    }

    private Backplane openUri(String uri, String prefix) {
        Map<String, String> options = new HashMap<>(TIMEOUTS);
        options.put("prefix", prefix);
        return support.open(uri, redis.clientTlsOptions(), options);
    }

    private void assertRoundTrip(Backplane subscriber, Backplane publisher, String text) throws Exception {
        Recorder recorder = new Recorder("news", failures, true);
        var subscription = await(subscriber.subscribe("news", recorder));
        await(publisher.publish("news", utf8(text)));
        assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo(text);
        subscription.close();
    }

    @Test
    void aTenantWithTheLeastPrivilegeAclForItsPrefixWorksFullyAndIsRefusedNothing() throws Exception {
        try (Jedis admin = SecureRedisSupport.admin(redis)) {
            admin.aclLogReset();
        }
        Backplane subscriber = open("tenant-a", "pw-a", "a");
        Backplane publisher = open("tenant-a", "pw-a", "a");
        assertRoundTrip(subscriber, publisher, "hello a");
        // A second channel, subscribed and unsubscribed while the first one's subscription is gone.
        Recorder other = new Recorder("other", failures, true);
        await(subscriber.subscribe("other", other));
        await(publisher.publish("other", utf8("again")));
        assertThat(other.awaitCount(1).get(0).text()).isEqualTo("again");
        try (Jedis admin = SecureRedisSupport.admin(redis)) {
            // The subscribing connection's health check (a PING every connectTimeout) must pass the ACL too.
            long deadline = System.nanoTime() + CONNECT_TIMEOUT.multipliedBy(3).toNanos();
            while (!admin.clientList().lines().anyMatch(c -> c.contains("user=tenant-a") && c.contains("cmd=ping"))) {
                assertThat(System.nanoTime()).as("a health-check PING of the tenant's within 3 x connectTimeout")
                        .isLessThan(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
            }
            assertThat(admin.clientList()).as("the backplane's connections, logged in as the tenant and named")
                    .contains("user=tenant-a").contains("name=backplane-a ");
        }
        subscriber.close();
        publisher.close();
        assertThat(aclLog(redis, "tenant-a")).as("what Redis refused the tenant (its ACL LOG): the ACL lacks nothing "
                + "the backplane sends").isEmpty();
    }

    @Test
    void aWrongPasswordFailsSubscribeAndPublishWithinTheConnectTimeoutNamingTheUser() throws Exception {
        Backplane backplane = open("tenant-a", "not-pw-a", "a");
        long start = System.nanoTime();
        Throwable subscribe = failsWithin(backplane.subscribe("news", new Recorder("news", failures, true)), start,
                CONNECT_TIMEOUT, "a subscribe with a wrong password");
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("authentication failed for user 'tenant-a'").hasMessageContaining("WRONGPASS")
                .hasMessageContaining(redis.address()).hasMessageNotContaining("not-pw-a");
        start = System.nanoTime();
        Throwable publish = failsWithin(backplane.publish("news", utf8("x")), start, CONNECT_TIMEOUT,
                "a publish with a wrong password");
        assertThat(publish).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("authentication failed for user 'tenant-a'").hasMessageContaining("WRONGPASS")
                .hasMessageNotContaining("not-pw-a");
        // A subscribe after the refusal fails at once too, not after the connect timeout.
        start = System.nanoTime();
        Throwable again = failsWithin(backplane.subscribe("later", new Recorder("later", failures, true)), start,
                Duration.ofSeconds(2), "a later subscribe with a wrong password");
        assertThat(again).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("authentication failed for user 'tenant-a'");
    }

    @Test
    void anUnknownUserFailsTheSameWay() throws Exception {
        Backplane backplane = open("nobody", "pw-a", "a");
        long start = System.nanoTime();
        Throwable subscribe = failsWithin(backplane.subscribe("news", new Recorder("news", failures, true)), start,
                CONNECT_TIMEOUT, "a subscribe as an unknown user");
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("authentication failed for user 'nobody'").hasMessageContaining("WRONGPASS");
    }

    @Test
    void theDefaultUsersPasswordLogsInWithOrWithoutAColonOrTheUserName() throws Exception {
        for (String uri : new String[] {
                "rediss://:" + DEFAULT_PASSWORD + "@" + redis.address(),
                "rediss://" + DEFAULT_PASSWORD + "@" + redis.address(),
                "rediss://default:" + DEFAULT_PASSWORD + "@" + redis.address()}) {
            assertRoundTrip(openUri(uri, "d"), openUri(uri, "d"), "as default via " + uri.replace(DEFAULT_PASSWORD, "***"));
        }
    }

    @Test
    void noCredentialsOnAServerThatRequiresThemSaysSo() throws Exception {
        Backplane backplane = openUri(redis.uri("rediss"), "a");
        long start = System.nanoTime();
        Throwable subscribe = failsWithin(backplane.subscribe("news", new Recorder("news", failures, true)), start,
                CONNECT_TIMEOUT, "a subscribe without credentials");
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("requires authentication");
    }

    @Test
    void aTenantOnTheOtherTenantsPrefixIsRefusedWithNopermAtSubscribeAndPublish() throws Exception {
        Backplane b = open("tenant-b", "pw-b", "b");
        Recorder onB = new Recorder("news", failures, true);
        await(b.subscribe("news", onB));
        Backplane intruder = open("tenant-a", "pw-a", "b");
        long start = System.nanoTime();
        Throwable subscribe = failsWithin(intruder.subscribe("news", new Recorder("news", failures, true)), start,
                CONNECT_TIMEOUT, "tenant a's subscribe on prefix b");
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("user 'tenant-a' lacks a permission").hasMessageContaining("NOPERM")
                .hasMessageContaining("&<prefix>:*");
        start = System.nanoTime();
        Throwable publish = failsWithin(intruder.publish("news", utf8("forged")), start, CONNECT_TIMEOUT,
                "tenant a's publish on prefix b");
        assertThat(publish).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("user 'tenant-a' lacks a permission").hasMessageContaining("NOPERM");
        await(b.publish("news", utf8("for b only")));
        // Redis refused the forged publish before b's own one was sent: had it gone out, it would have come first.
        assertThat(onB.awaitCount(1).get(0).text()).isEqualTo("for b only");
        assertThat(onB.texts()).as("what tenant b received: nothing tenant a sent").containsExactly("for b only");
    }

    @Test
    void aTenantsOwnConnectionCanNeitherReadNorWriteTheOtherTenantsChannels() throws Exception {
        Backplane b = open("tenant-b", "pw-b", "b");
        await(b.subscribe("news", new Recorder("news", failures, true)));
        try (Jedis asA = SecureRedisSupport.connect(redis, "tenant-a", "pw-a")) {
            assertThatThrownBy(() -> asA.publish("b:news", "forged")).isInstanceOf(JedisAccessControlException.class)
                    .hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> asA.get("b:news")).as("a key command: none is granted")
                    .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
            Connection raw = asA.getConnection();
            for (Protocol.Command command : new Protocol.Command[] {Protocol.Command.SUBSCRIBE, Protocol.Command.PSUBSCRIBE}) {
                for (String channel : new String[] {"b:news", "b:*", "*"}) {
                    raw.sendCommand(command, channel);
                    assertThatThrownBy(raw::getOne).as("%s %s by tenant a", command, channel)
                            .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
                }
            }
        }
        try (Jedis admin = SecureRedisSupport.admin(redis)) {
            assertThat(admin.pubsubNumSub("b:news")).as("subscribers of b:news: tenant b's backplane alone")
                    .containsEntry("b:news", 1L);
            assertThat(admin.pubsubNumPat()).as("pattern subscriptions").isZero();
        }
    }
}
