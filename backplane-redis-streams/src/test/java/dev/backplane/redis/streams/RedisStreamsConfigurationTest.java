package dev.backplane.redis.streams;

import static dev.backplane.redis.streams.StreamsTestSupport.await;
import static dev.backplane.redis.streams.StreamsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Position;
import dev.backplane.tck.Recorder;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Choosing the provider, options, credentials and ACL permissions: each mistake gets an error that names the fix. */
class RedisStreamsConfigurationTest extends RedisStreamsBrokerTest {

    private Backplane openUri(String uri) {
        Backplane backplane = Backplanes.open(URI.create(uri), Map.of("prefix", support.prefix()));
        support.track(backplane);
        return backplane;
    }

    @Test
    void aRedisUriWithProviderRedisStreamsOpensTheStreamsBackplane() {
        Backplane backplane = openUri("redis://" + broker.address() + "?provider=redis-streams");
        assertThat(backplane).isInstanceOf(RedisStreamsBackplane.class);
        assertThat(backplane.capabilities().transport()).isEqualTo("redis-streams");
        Recorder recorder = new Recorder("chosen", failures, true);
        await(backplane.subscribe("chosen", recorder));
        await(backplane.publish("chosen", utf8("hello")));
        assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("hello");
    }

    @Test
    void theRedisStreamsSchemeOpensTheStreamsBackplaneWithItsDeclaredCapabilities() {
        Backplane backplane = openUri("redis-streams://" + broker.address() + "?maxPayload=4096");
        Capabilities capabilities = backplane.capabilities();
        assertThat(capabilities.guarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(capabilities.replay()).isTrue();
        assertThat(capabilities.orderedPerPublisher()).isTrue();
        assertThat(capabilities.cheapChannels()).isTrue();
        assertThat(capabilities.maxPayloadBytes()).isEqualTo(4096);
        assertThatThrownBy(() -> backplane.publish("big", new byte[4097]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
    }

    @Test
    void aPublishCompletesWithTheEntryIdThatRedisAssigned() {
        Backplane backplane = support.open();
        Position position = await(backplane.publish("ids", utf8("x")));
        try (Jedis redis = support.redis()) {
            var entries = redis.xrange(support.prefix() + ":ids", "-", "+");
            assertThat(entries).hasSize(1);
            assertThat(position.value()).isEqualTo(entries.get(0).getID().toString());
        }
    }

    @Test
    void closingLeavesOnlyTheChannelStreamsAndTheDataSetTokenInRedis() {
        Backplane backplane = support.open();
        await(backplane.subscribe("kept", new Recorder("kept", failures, true)));
        await(backplane.publish("kept", utf8("x")));
        backplane.close();
        try (Jedis redis = support.redis()) {
            assertThat(redis.keys(support.prefix() + ":*"))
                    .containsExactlyInAnyOrder(support.prefix() + ":kept", support.prefix() + ":.epoch");
        }
    }

    @Test
    void anUnknownOptionInTheUriIsRefusedNamingItAndTheAcceptedOnes() {
        assertThatThrownBy(() -> Backplanes.open("redis-streams://" + broker.address() + "?maxlen=5"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("[maxlen]").hasMessageContaining("maxLen").hasMessageContaining("redis-streams");
    }

    @Test
    void anIllegalOptionValueIsRefusedNamingTheOptionAndWhatItTakes() {
        assertThatThrownBy(() -> Backplanes.open("redis-streams://" + broker.address() + "?maxLen=0"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("maxLen").hasMessageContaining("whole number");
    }

    @Test
    void aMaxPayloadNotBelowOutboxBytesIsRefusedAtOpenNamingBothOptions() {
        assertThatThrownBy(() -> Backplanes.open("redis-streams://" + broker.address()
                + "?maxPayload=1048576&outboxBytes=1048576"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("maxPayload").hasMessageContaining("outboxBytes");
    }

    @Test
    void aPositionThisTransportDidNotProduceIsRefusedAtTheCall() {
        Backplane backplane = support.open();
        assertThatThrownBy(() -> backplane.subscribe("c", Position.of("42"), new Recorder("c", failures, true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry id");
    }

    @Test
    void aWrongPasswordIsAConfigurationErrorNamingTheUser() {
        String user = "bad-" + UUID.randomUUID().toString().substring(0, 6);
        try (Jedis redis = support.redis()) {
            redis.aclSetUser(user, "on", ">right", "~*", "+@all");
            assertThatThrownBy(() -> Backplanes.open("redis-streams://" + user + ":wrong@" + broker.address()))
                    .isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("'" + user + "'").hasMessageContaining("password")
                    .hasMessageNotContaining("wrong");
        } finally {
            dropUser(user);
        }
    }

    @Test
    void aUserWithoutStreamCommandsIsToldAtOpenWhichCommandAndWhichUser() {
        String user = "nostreams-" + UUID.randomUUID().toString().substring(0, 6);
        try (Jedis redis = support.redis()) {
            redis.aclSetUser(user, "on", ">pw", "~*", "+@all", "-xadd", "-xread");
            assertThatThrownBy(() -> Backplanes.open(URI.create("redis-streams://" + user + ":pw@" + broker.address()),
                    Map.of("prefix", support.prefix())))
                    .isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("'" + user + "'").hasMessageContaining("XADD")
                    .hasMessageContaining("ACL SETUSER " + user).hasMessageContaining("~" + support.prefix() + ":*");
        } finally {
            dropUser(user);
        }
    }

    @Test
    void aUserWhoMayNotReadOneChannelsStreamHasThatSubscribeFailNamingTheKey() throws Exception {
        String user = "partial-" + UUID.randomUUID().toString().substring(0, 6);
        String prefix = support.prefix();
        try (Jedis redis = support.redis()) {
            // Everything under the prefix except the streams of channels starting with "secret".
            redis.aclSetUser(user, "on", ">pw", "+@all", "~" + prefix + ":[^s]*", "~" + prefix + ":.*");
            Backplane backplane = openUri("redis-streams://" + user + ":pw@" + broker.address());
            assertThatThrownBy(() -> backplane.subscribe("secret", new Recorder("secret", failures, true)).get())
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("'" + user + "'").hasMessageContaining("'" + prefix + ":secret'");
            assertThatThrownBy(() -> backplane.publish("secret", utf8("x")).get())
                    .cause().isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("XADD");
            // The channels the user may use still work.
            Recorder open = new Recorder("public", failures, true);
            await(backplane.subscribe("public", open));
            await(backplane.publish("public", utf8("fine")));
            assertThat(open.awaitCount(1).get(0).text()).isEqualTo("fine");
            backplane.close();
        } finally {
            dropUser(user);
        }
    }

    private void dropUser(String user) {
        try (Jedis redis = support.redis()) {
            redis.aclDelUser(user);
        }
    }
}
