package dev.backplane.redis;

import static dev.backplane.redis.PubSubTestSupport.await;
import static dev.backplane.redis.PubSubTestSupport.failureOf;
import static dev.backplane.redis.PubSubTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Delivery;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.tck.Recorder;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** What the Redis pub/sub backplane adds to the kit's rules: login, database, errors, shared subscriptions, limits. */
class RedisPubSubBackplaneTest extends RedisBrokerTest {

    // Made per test, after @BeforeAll started the broker.
    private final PubSubTestSupport support = new PubSubTestSupport(broker, "t");

    @AfterEach
    void closeBackplanes() {
        support.close();
        failures.rethrow();
    }

    @Test
    void declaresAtMostOnceWithoutReplayOrderedCheapChannelsAndTheConfiguredMaxPayload() {
        var capabilities = support.open(Map.of("maxPayload", "4096")).capabilities();
        assertThat(capabilities.transport()).isEqualTo("redis");
        assertThat(capabilities.guarantee()).isEqualTo(DeliveryGuarantee.AT_MOST_ONCE);
        assertThat(capabilities.replay()).isFalse();
        assertThat(capabilities.orderedPerPublisher()).isTrue();
        assertThat(capabilities.cheapChannels()).isTrue();
        assertThat(capabilities.maxPayloadBytes()).isEqualTo(4096);
        assertThat(support.open(Map.of()).capabilities().maxPayloadBytes()).isEqualTo(1 << 20);
    }

    @Test
    void anUnknownOptionIsRefusedListingTheAcceptedOnes() {
        assertThatThrownBy(() -> support.open(Map.of("maxPayloadz", "1")))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("maxPayloadz")
                .hasMessageContaining("maxPendingPublishes");
    }

    @Test
    void logicalChannelsLiveUnderThePrefixOnRedis() throws Exception {
        Backplane backplane = support.open(Map.of());
        Recorder recorder = new Recorder("news", failures, true);
        await(backplane.subscribe("news", recorder));
        try (Jedis jedis = support.redis()) {
            assertThat(jedis.pubsubNumSub(support.prefix() + ":news")).containsEntry(support.prefix() + ":news", 1L);
            assertThat(jedis.publish(support.prefix() + ":news", "from outside")).isEqualTo(1L);
        }
        assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("from outside");
    }

    @Test
    void subscriptionsToOneChannelShareOneRedisSubscribeUntilTheLastCloses() throws Exception {
        Backplane backplane = support.open(Map.of());
        Subscription first = await(backplane.subscribe("shared", new Recorder("shared", failures, true)));
        Subscription second = await(backplane.subscribe("shared", new Recorder("shared", failures, true)));
        String redisChannel = support.prefix() + ":shared";
        try (Jedis jedis = support.redis()) {
            assertThat(jedis.pubsubNumSub(redisChannel)).containsEntry(redisChannel, 1L);
            first.close();
            Thread.sleep(200);
            assertThat(jedis.pubsubNumSub(redisChannel)).as("one subscription still open").containsEntry(redisChannel, 1L);
            second.close();
            awaitNumSub(jedis, redisChannel, 0L);
        }
    }

    private static void awaitNumSub(Jedis jedis, String channel, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (jedis.pubsubNumSub(channel).get(channel) != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(jedis.pubsubNumSub(channel)).containsEntry(channel, expected);
    }

    @Test
    void anAclUserAndPasswordFromTheUriAreUsedForBothConnections() throws Exception {
        String user = "app-" + support.prefix();
        try (Jedis jedis = support.redis()) {
            jedis.aclSetUser(user, "reset", "on", ">s3cret", "resetchannels", "&" + support.prefix() + ":*",
                    "-@all", "+publish", "+subscribe", "+unsubscribe", "+ping");
        }
        Backplane backplane = support.open("redis://" + user + ":s3cret@" + broker.address(), Map.of());
        Recorder recorder = new Recorder("acl", failures, true);
        await(backplane.subscribe("acl", recorder));
        await(backplane.publish("acl", utf8("hello")));
        assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("hello");
        try (Jedis jedis = support.redis()) {
            assertThat(jedis.clientList()).as("connections logged in as the URI's user")
                    .contains("user=" + user + " ");
        }
    }

    @Test
    void aChannelTheAclUserMayNotUseFailsNamingTheUserAndThePermission() throws Exception {
        String user = "narrow-" + support.prefix();
        try (Jedis jedis = support.redis()) {
            jedis.aclSetUser(user, "reset", "on", ">s3cret", "resetchannels", "&elsewhere:*",
                    "-@all", "+publish", "+subscribe", "+unsubscribe", "+ping");
        }
        Backplane backplane = support.open("redis://" + user + ":s3cret@" + broker.address(), Map.of());
        Throwable publish = failureOf(backplane.publish("denied", utf8("x")));
        assertThat(publish).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("user '" + user + "'")
                .hasMessageContaining("NOPERM")
                .hasMessageNotContaining("s3cret");
        Throwable subscribe = failureOf(backplane.subscribe("denied", new Recorder("denied", failures, true)));
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("user '" + user + "'")
                .hasMessageContaining("NOPERM");
    }

    @Test
    void aWrongPasswordFailsPublishAndSubscribeWithAnAuthenticationErrorThatHidesThePassword() throws Exception {
        String user = "pw-" + support.prefix();
        try (Jedis jedis = support.redis()) {
            jedis.aclSetUser(user, "reset", "on", ">right-password", "allchannels", "+@all");
        }
        Backplane backplane = support.open("redis://" + user + ":wrong-password@" + broker.address(), Map.of());
        Throwable publish = failureOf(backplane.publish("c", utf8("x")));
        assertThat(publish).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("authentication failed for user '" + user + "'")
                .hasMessageContaining(broker.address())
                .hasMessageNotContaining("wrong-password");
        Throwable subscribe = failureOf(backplane.subscribe("c", new Recorder("c", failures, true)));
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("authentication failed for user '" + user + "'")
                .hasMessageNotContaining("wrong-password");
    }

    @Test
    void aServerThatRequiresAPasswordNoneWasGivenForSaysSo() throws Exception {
        try (Jedis jedis = support.redis()) {
            jedis.configSet("requirepass", "needed");
        }
        try {
            Backplane backplane = support.open(Map.of());
            Throwable publish = failureOf(backplane.publish("c", utf8("x")));
            assertThat(publish).isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("requires authentication").hasMessageContaining(broker.address());
            Throwable subscribe = failureOf(backplane.subscribe("c", new Recorder("c", failures, true)));
            assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("requires authentication");
        } finally {
            try (Jedis jedis = support.redis()) {
                jedis.auth("needed");
                jedis.configSet("requirepass", "");
            }
        }
    }

    @Test
    void thePathSelectsTheDatabaseOfBothConnections() throws Exception {
        Backplane backplane = support.open("redis://" + broker.address() + "/5",
                Map.of(RedisEndpoint.CLIENT_NAME, "db5-" + support.prefix()));
        Recorder recorder = new Recorder("db", failures, true);
        await(backplane.subscribe("db", recorder));
        await(backplane.publish("db", utf8("in db 5")));
        recorder.awaitCount(1);
        try (Jedis jedis = support.redis()) {
            List<String> ours = jedis.clientList().lines().filter(l -> l.contains("name=db5-" + support.prefix() + " ")).toList();
            assertThat(ours).as("publisher and subscriber connections").hasSize(2)
                    .allSatisfy(line -> assertThat(line).contains(" db=5 "));
        }
    }

    @Test
    void aPortWithNoRedisFailsSubscribeAndPublishNamingTheAddressWithinTheirTimeouts() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Backplane backplane = support.open("redis://127.0.0.1:" + port,
                Map.of("connectTimeout", "500ms", "publishTimeout", "500ms"));
        Throwable subscribe = failureOf(backplane.subscribe("c", new Recorder("c", failures, true)));
        assertThat(subscribe).isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("127.0.0.1:" + port);
        Throwable publish = failureOf(backplane.publish("c", utf8("x")));
        assertThat(publish).isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("127.0.0.1:" + port);
    }

    @Test
    void aSubscriberFallingTooFarBehindLosesMessagesAndIsToldByAGap() throws Exception {
        Backplane backplane = support.open(Map.of("maxSubscriberBacklog", "5"));
        CountDownLatch release = new CountDownLatch(1);
        List<String> received = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        CountDownLatch gapSeen = new CountDownLatch(1);
        Subscriber slow = new Subscriber() {
            @Override
            public void onMessage(Delivery delivery) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                synchronized (received) {
                    received.add(new String(delivery.payload(), StandardCharsets.UTF_8));
                }
            }

            @Override
            public void onGap(Gap gap) {
                synchronized (received) {
                    gaps.add(gap);
                }
                gapSeen.countDown();
            }
        };
        await(backplane.subscribe("slow", slow));
        List<CompletableFuture<?>> published = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            published.add(backplane.publish("slow", utf8("m" + i)));
        }
        for (CompletableFuture<?> f : published) {
            await(f);
        }
        Thread.sleep(300); // let the reader receive all 50 while the subscriber is blocked
        release.countDown();
        assertThat(gapSeen.await(10, TimeUnit.SECONDS)).as("a gap reported the dropped messages").isTrue();
        // Every message is either delivered or counted in a gap, never lost silently.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            synchronized (received) {
                if (received.size() + dropped(gaps) == 50) {
                    break;
                }
            }
            Thread.sleep(20);
        }
        synchronized (received) {
            assertThat(gaps).allSatisfy(g -> assertThat(g.reason()).contains("dropped").contains("maxSubscriberBacklog"));
            assertThat(received).as("messages kept, in publish order (some dropped while the subscriber was blocked)")
                    .hasSizeLessThan(50).startsWith("m0")
                    .isSortedAccordingTo(java.util.Comparator.comparingInt(t -> Integer.parseInt(t.substring(1))));
            assertThat(received.size() + dropped(gaps)).as("delivered plus reported dropped").isEqualTo(50);
        }
    }

    private static long dropped(List<Gap> gaps) {
        return gaps.stream().mapToLong(g -> Long.parseLong(g.reason().split(" ")[0])).sum();
    }

    @Test
    void closeStopsEveryThreadItStarted() throws Exception {
        long before = redisThreads();
        Backplane backplane = support.open(Map.of());
        Recorder recorder = new Recorder("threads", failures, true);
        await(backplane.subscribe("threads", recorder));
        await(backplane.publish("threads", utf8("x")));
        recorder.awaitCount(1);
        assertThat(redisThreads()).isGreaterThan(before);
        backplane.close();
        backplane.close(); // idempotent
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (redisThreads() > before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(redisThreads()).as("backplane-redis threads after close").isEqualTo(before);
        assertThatThrownBy(() -> backplane.publish("threads", utf8("late"))).isInstanceOf(IllegalStateException.class);
    }

    private static long redisThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("backplane-redis")).count();
    }

    @Test
    void aFullOutboxFailsThePublishAtOnceNamingTheOption() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Backplane backplane = support.open("redis://127.0.0.1:" + port,
                Map.of("maxPendingPublishes", "2", "publishTimeout", "5s"));
        List<CompletableFuture<?>> waiting = new ArrayList<>();
        Throwable refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            CompletableFuture<?> f = backplane.publish("c", utf8("m" + i));
            if (f.isCompletedExceptionally()) {
                refused = failureOf(f);
            } else {
                waiting.add(f);
            }
        }
        assertThat(refused).as("a publish beyond the outbox").isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("maxPendingPublishes");
        assertThat(waiting).hasSizeLessThanOrEqualTo(3); // two queued, one possibly taken by the publisher thread
    }
}
