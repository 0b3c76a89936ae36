package dev.backplane.redis.streams;

import static dev.backplane.redis.streams.StreamsTestSupport.await;
import static dev.backplane.redis.streams.StreamsTestSupport.awaitCondition;
import static dev.backplane.redis.streams.StreamsTestSupport.quietPeriod;
import static dev.backplane.redis.streams.StreamsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.PublishOutcomeUnknownException;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.params.XAddParams;

/**
 * What a failed publish says: never written to Redis, {@link BrokerUnavailableException} (it
 * surely was not published); written and unanswered, {@link PublishOutcomeUnknownException}
 * (Redis may have added it), unless the look-up after a reconnect finds out.
 */
class RedisStreamsPublishOutcomeTest extends RedisStreamsBrokerTest {

    @AfterEach
    void resumeRedis() {
        broker.start();
        try (Jedis redis = support.redis()) {
            redis.clientUnpause();
        }
    }

    private Throwable failureOf(CompletableFuture<Position> publish) {
        try {
            publish.get(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("the publish succeeded");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the publish did not complete: " + e, e);
        }
    }

    /** Pauses every client's writes: an {@code XADD} sent now is read by Redis and not answered. */
    private void pauseWrites() {
        try (Jedis redis = support.redis()) {
            redis.clientPause(KitTimeouts.delivery().toMillis(), ClientPauseMode.WRITE);
        }
    }

    /** The ids of this test's backplane connections, once one of them waits in a paused {@code XADD}. */
    private List<String> connectionsOnceAnXaddWaits() {
        String name = "name=backplane-" + support.prefix();
        try (Jedis redis = support.redis()) {
            awaitCondition(() -> Arrays.stream(redis.clientList().split("\n"))
                    .anyMatch(c -> c.contains(name + " ") && c.contains(" cmd=xadd ") && c.matches(".* flags=\\S*b.*")),
                    "an XADD of the backplane waits in the paused Redis");
            return Arrays.stream(redis.clientList().split("\n")).filter(c -> c.contains(name + " "))
                    .map(c -> c.substring(c.indexOf("id=") + 3, c.indexOf(' '))).toList();
        }
    }

    private void kill(List<String> connections) {
        try (Jedis redis = support.redis()) {
            connections.forEach(id -> redis.clientKill(ClientKillParams.clientKillParams().id(id)));
        }
    }

    @Test
    void aPublishNeverWrittenFailsWithPlainBrokerUnavailable() {
        Backplane backplane = support.open("publishTimeout", "300ms");
        broker.stop();
        // The first publish may go into the connection that just broke (its outcome is then unknown);
        // it fails either way, and from then on the backplane knows that Redis is gone.
        assertThat(failureOf(backplane.publish("down", utf8("first")))).isInstanceOf(BrokerUnavailableException.class);
        Throwable error = failureOf(backplane.publish("down", utf8("never written")));
        assertThat(error).isExactlyInstanceOf(BrokerUnavailableException.class).hasMessageContaining("not sent")
                .hasMessageContaining(broker.address());
    }

    @Test
    void aPublishBeyondMaxPendingPublishesFailsAtOnceNotSentNamingTheOption() {
        Backplane backplane = support.open("maxPendingPublishes", "2", "publishTimeout", "2s");
        broker.stop();
        List<CompletableFuture<Position>> waiting = List.of(backplane.publish("full", utf8("1")),
                backplane.publish("full", utf8("2")));
        CompletableFuture<Position> refused = backplane.publish("full", utf8("3"));
        assertThat(refused).as("the publish beyond the bound, at once").isCompletedExceptionally();
        assertThat(failureOf(refused)).isExactlyInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("not sent").hasMessageContaining("maxPendingPublishes");
        waiting.forEach(f -> assertThat(failureOf(f)).isInstanceOf(BrokerUnavailableException.class));
    }

    @Test
    void aPublishWrittenAndUnansweredFailsWithPublishOutcomeUnknown() {
        Backplane backplane = support.open("publishTimeout", "500ms");
        await(backplane.publish("paused", utf8("before")));
        pauseWrites();
        Throwable error = failureOf(backplane.publish("paused", utf8("written")));
        assertThat(error).isInstanceOf(PublishOutcomeUnknownException.class).hasMessageContaining("may or may not");
    }

    @Test
    void aPublishWhoseConnectionBrokeIsSentAgainWhenTheLookUpShowsRedisDidNotAddIt() {
        Backplane backplane = support.open("publishTimeout", KitTimeouts.delivery().toMillis() + "ms");
        Recorder recorder = new Recorder("resent", failures, true);
        await(backplane.subscribe("resent", recorder));
        pauseWrites();
        CompletableFuture<Position> publish = backplane.publish("resent", utf8("once"));
        // Killed while Redis holds the XADD unexecuted: Redis drops it with the connection.
        kill(connectionsOnceAnXaddWaits());
        try (Jedis redis = support.redis()) {
            redis.clientUnpause();
        }

        Position position = await(publish);
        assertThat(recorder.awaitCount(1).get(0).position()).isEqualTo(position);
        quietPeriod();
        assertThat(recorder.texts()).as("added once").containsExactly("once");
    }

    @Test
    void aPublishWhoseConnectionBrokeFailsWithPublishOutcomeUnknownWhenTrimmingHidesWhetherRedisAddedIt() {
        Backplane backplane = support.open("publishTimeout", KitTimeouts.delivery().toMillis() + "ms");
        await(backplane.publish("busy", utf8("known")));
        try (Jedis redis = support.redis()) {
            // Another publisher's traffic trims away everything this instance knows it added.
            for (int i = 0; i < 3; i++) {
                redis.xadd(support.stream("busy"), XAddParams.xAddParams().maxLen(1),
                        java.util.Map.of("p", "other-" + i));
            }
        }
        pauseWrites();
        CompletableFuture<Position> publish = backplane.publish("busy", utf8("unknown"));
        kill(connectionsOnceAnXaddWaits());

        // The look-up runs while writes are still paused: it finds nothing, and cannot tell.
        Throwable error = failureOf(publish);
        assertThat(error).isInstanceOf(PublishOutcomeUnknownException.class).hasMessageContaining("cannot be told");
        try (Jedis redis = support.redis()) {
            redis.clientUnpause();
            assertThat(redis.xrange(support.stream("busy"), "-", "+"))
                    .as("entries").hasSize(1);
        }
    }
}
