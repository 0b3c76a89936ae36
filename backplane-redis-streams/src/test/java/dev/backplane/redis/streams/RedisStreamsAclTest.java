package dev.backplane.redis.streams;

import static dev.backplane.redis.streams.SecureStreamsSupport.aclLog;
import static dev.backplane.redis.streams.SecureStreamsSupport.failsWithin;
import static dev.backplane.redis.streams.SecureStreamsSupport.streamsAcl;
import static dev.backplane.redis.streams.StreamsTestSupport.await;
import static dev.backplane.redis.streams.StreamsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Position;
import dev.backplane.brokers.SecureRedis;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.Recorder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadParams;

/**
 * Credentials and least privilege for the Redis Streams backplane, on a TLS-only Redis with ACL
 * users: two tenants, each allowed only its prefix's keys ({@code ~a:*}, {@code ~b:*}), no pub/sub
 * channel, and the commands the backplane sends (the README's ACL). The right user works fully
 * (live, replay, restart of its own connections at close) and Redis refuses it nothing; a wrong
 * password or user fails {@code Backplanes.open} at once naming the user; a tenant on the other's
 * prefix is refused at open with NOPERM, and reading, writing, listing or subscribing to the
 * other's data directly is refused too.
 */
class RedisStreamsAclTest {

    private static final String DEFAULT_PASSWORD = "default-pw";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Much longer than the connect timeout: a refused login must not wait for it. */
    private static final Map<String, String> TIMEOUTS = Map.of("connectTimeout", CONNECT_TIMEOUT.toMillis() + "ms",
            "publishTimeout", "20s");

    static SecureRedis redis;

    private final AsyncFailures failures = new AsyncFailures();
    private final SecureStreamsSupport support = new SecureStreamsSupport();

    @BeforeAll
    static void startRedis() {
        redis = SecureRedis.tls().defaultUserPassword(DEFAULT_PASSWORD)
                .user("tenant-a", "pw-a", streamsAcl("a:*"))
                .user("tenant-b", "pw-b", streamsAcl("b:*"))
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
        return openUri(redis.uri("rediss-streams", user, password), prefix);
    }

    private Backplane openUri(String uri, String prefix) {
        Map<String, String> options = new HashMap<>(TIMEOUTS);
        options.put("prefix", prefix);
        return support.open(uri, redis.clientTlsOptions(), options);
    }

    @Test
    void aTenantWithTheLeastPrivilegeAclForItsPrefixWorksFullyAndIsRefusedNothing() {
        try (Jedis admin = SecureStreamsSupport.admin(redis)) {
            admin.aclLogReset();
        }
        Backplane subscriber = open("tenant-a", "pw-a", "a");
        Backplane publisher = open("tenant-a", "pw-a", "a");
        Recorder live = new Recorder("news", failures, true);
        var subscription = await(subscriber.subscribe("news", live));
        await(publisher.publish("news", utf8("one")));
        await(publisher.publish("news", utf8("two")));
        live.awaitTexts(List.of("one", "two"), Duration.ofSeconds(15), "live deliveries as tenant a");
        Recorder replay = new Recorder("news", failures, true);
        await(subscriber.subscribe("news", Position.EARLIEST, replay));
        replay.awaitTexts(List.of("one", "two"), Duration.ofSeconds(15), "a replay as tenant a");
        subscription.close();
        try (Jedis admin = SecureStreamsSupport.admin(redis)) {
            assertThat(admin.clientList()).as("the backplane's connections, logged in as the tenant and named")
                    .contains("user=tenant-a").contains("name=backplane-a ");
        }
        subscriber.close();
        publisher.close();
        assertThat(aclLog(redis, "tenant-a")).as("what Redis refused the tenant (its ACL LOG): the ACL lacks nothing "
                + "the backplane sends").isEmpty();
    }

    @Test
    void aWrongPasswordFailsTheOpenWithinTheConnectTimeoutNamingTheUser() {
        RuntimeException e = failsWithin(() -> open("tenant-a", "not-pw-a", "a"), CONNECT_TIMEOUT,
                "opening with a wrong password");
        assertThat(e).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("authentication failed for user 'tenant-a'").hasMessageContaining("WRONGPASS")
                .hasMessageContaining(redis.address()).hasMessageNotContaining("not-pw-a");
        RuntimeException unknown = failsWithin(() -> open("nobody", "pw-a", "a"), CONNECT_TIMEOUT,
                "opening as an unknown user");
        assertThat(unknown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("authentication failed for user 'nobody'").hasMessageContaining("WRONGPASS");
    }

    @Test
    void theDefaultUsersPasswordLogsInWithOrWithoutAColonOrTheUserName() {
        for (String uri : new String[] {
                "rediss-streams://:" + DEFAULT_PASSWORD + "@" + redis.address(),
                "rediss-streams://" + DEFAULT_PASSWORD + "@" + redis.address(),
                "rediss-streams://default:" + DEFAULT_PASSWORD + "@" + redis.address()}) {
            Backplane backplane = openUri(uri, "d");
            Recorder recorder = new Recorder("news", failures, true);
            await(backplane.subscribe("news", recorder));
            await(backplane.publish("news", utf8("as default")));
            assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("as default");
            backplane.close();
        }
    }

    @Test
    void noCredentialsOnAServerThatRequiresThemSaysSo() {
        RuntimeException e = failsWithin(() -> openUri(redis.uri("rediss-streams"), "a"), CONNECT_TIMEOUT,
                "opening without credentials");
        assertThat(e).isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("requires authentication");
    }

    @Test
    void aTenantOnTheOtherTenantsPrefixIsRefusedWithNopermWhenItOpens() {
        Backplane b = open("tenant-b", "pw-b", "b");
        Recorder onB = new Recorder("news", failures, true);
        await(b.subscribe("news", onB));
        RuntimeException e = failsWithin(() -> open("tenant-a", "pw-a", "b"), CONNECT_TIMEOUT,
                "tenant a opening prefix b");
        assertThat(e).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("Redis user 'tenant-a'").hasMessageContaining("NOPERM")
                .hasMessageContaining("on key 'b:.epoch'").hasMessageContaining("~b:*");
        await(b.publish("news", utf8("for b only")));
        assertThat(onB.awaitCount(1).get(0).text()).isEqualTo("for b only");
    }

    @Test
    void aTenantsOwnConnectionCanNeitherReadWriteListNorSubscribeToTheOtherTenantsData() {
        Backplane b = open("tenant-b", "pw-b", "b");
        await(b.publish("private", utf8("b's secret")));
        try (Jedis asA = SecureStreamsSupport.connect(redis, "tenant-a", "pw-a")) {
            assertThatThrownBy(() -> asA.xread(XReadParams.xReadParams().count(10),
                    Map.of("b:private", new StreamEntryID())))
                    .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> asA.xrevrange("b:private", "+", "-", 10))
                    .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> asA.xinfoStream("b:private"))
                    .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> asA.get("b:.epoch"))
                    .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> asA.del("b:private"))
                    .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> asA.xadd("b:private", Map.of("p", "forged"),
                    XAddParams.xAddParams()))
                    .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> asA.keys("*")).as("listing keys")
                    .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
            assertThatThrownBy(() -> asA.scan("0", new ScanParams().match("*"))).as("scanning keys")
                    .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
            Connection raw = asA.getConnection();
            for (Protocol.Command command : new Protocol.Command[] {Protocol.Command.SUBSCRIBE, Protocol.Command.PSUBSCRIBE}) {
                for (String channel : new String[] {"b:private", "a:news", "*"}) {
                    raw.sendCommand(command, channel);
                    assertThatThrownBy(raw::getOne).as("%s %s by tenant a, who has no pub/sub channel", command, channel)
                            .isInstanceOf(JedisAccessControlException.class).hasMessageStartingWith("NOPERM");
                }
            }
        }
        try (Jedis admin = SecureStreamsSupport.admin(redis)) {
            assertThat(admin.xlen("b:private")).as("b's stream after tenant a's attempts").isEqualTo(1);
        }
    }
}
