package dev.backplane.redis.streams;

import static dev.backplane.redis.streams.StreamsTestSupport.await;
import static dev.backplane.redis.streams.StreamsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A broker restart: reading resumes from the last delivered entry, publishes wait in the outbox or
 * fail in time, and a Redis that comes back without its data is reported as a gap.
 */
class RedisStreamsRestartTest extends RedisStreamsBrokerTest {

    @AfterEach
    void restartRedis() {
        broker.start(); // before the backplanes close, whatever a test stopped (subclass @AfterEach runs first)
    }

    private static Position publish(Backplane backplane, String channel, String text) {
        return await(backplane.publish(channel, utf8(text)));
    }

    @Test
    void afterARestartReadingResumesFromTheLastDeliveredEntryWithNothingLost() {
        Backplane subscriberSide = support.open();
        Backplane publisherSide = support.open();
        Recorder recorder = new Recorder("resume", failures, true);
        await(subscriberSide.subscribe("resume", recorder));
        for (int i = 0; i < 5; i++) {
            publish(publisherSide, "resume", "a" + i);
        }
        recorder.awaitCount(5);

        broker.stop();
        broker.start();
        // Published before the subscriber's reader is back: found by reading on from its last entry.
        for (int i = 0; i < 5; i++) {
            publish(publisherSide, "resume", "b" + i);
        }

        recorder.awaitCount(10);
        assertThat(recorder.settle()).isEqualTo(10);
        assertThat(recorder.texts()).containsExactly("a0", "a1", "a2", "a3", "a4", "b0", "b1", "b2", "b3", "b4");
        assertThat(recorder.gaps()).isEmpty();
    }

    @Test
    void aPublishMadeWhileRedisIsDownWaitsInTheOutboxAndIsSentWhenRedisIsBack() throws Exception {
        Backplane backplane = support.open("publishTimeout", "20s");
        Recorder recorder = new Recorder("outbox", failures, true);
        await(backplane.subscribe("outbox", recorder));

        broker.stop();
        CompletableFuture<Position> waiting = backplane.publish("outbox", utf8("while down"));
        Thread.sleep(200);
        assertThat(waiting).as("a publish Redis has not accepted").isNotDone();
        broker.start();

        Position position = await(waiting);
        assertThat(position.value()).matches("\\d+-\\d+");
        assertThat(recorder.awaitCount(1).get(0).position()).isEqualTo(position);
    }

    @Test
    void aPublishFailsWithBrokerUnavailableWithinThePublishTimeoutWhileRedisStaysDown() {
        Backplane backplane = support.open("publishTimeout", "300ms");
        broker.stop();
        CompletableFuture<Position> future = backplane.publish("down", utf8("lost?"));
        assertThatThrownBy(() -> future.get(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining(broker.address()).hasMessageContaining("publishTimeout");
    }

    @Test
    void aSubscribeWhileRedisIsDownFailsWithBrokerUnavailable() {
        Backplane backplane = support.open("publishTimeout", "300ms");
        broker.stop();
        CompletableFuture<?> future = backplane.subscribe("down", new Recorder("down", failures, true));
        assertThatThrownBy(() -> future.get(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS))
                .cause().isInstanceOf(BrokerUnavailableException.class);
    }

    @Test
    void redisComingBackWithoutItsDataIsReportedToEverySubscriptionAsAGap() {
        Backplane backplane = support.open();
        Recorder recorder = new Recorder("flushed", failures, true);
        await(backplane.subscribe("flushed", recorder));
        Position before = publish(backplane, "flushed", "before");
        recorder.awaitCount(1);

        try (Jedis redis = support.redis()) {
            redis.flushAll();
        }
        broker.stop();
        broker.start();

        Gap gap = recorder.awaitGap();
        assertThat(gap.after()).isEqualTo(before);
        assertThat(gap.resumedAt()).isEqualTo(Position.NONE);
        assertThat(gap.reason()).contains("without its data");
        publish(backplane, "flushed", "after");
        assertThat(recorder.awaitCount(2).get(1).text()).isEqualTo("after");
    }

    @Test
    void aBackplaneOpenedOnAnUnreachablePortFailsWithBrokerUnavailableNamingTheAddress() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String uri = "redis-streams://127.0.0.1:" + port + "?connectTimeout=500ms";
        long start = System.nanoTime();
        assertThatThrownBy(() -> dev.backplane.Backplanes.open(uri))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("check the host and port");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded").isLessThan(KitTimeouts.delivery());
    }

    @Test
    void closingWhileRedisIsDownFailsWaitingPublishesInsteadOfLeavingThemPending() {
        Backplane backplane = support.open("publishTimeout", "1s");
        broker.stop();
        List<CompletableFuture<Position>> waiting = List.of(backplane.publish("c", utf8("1")), backplane.publish("c", utf8("2")));
        backplane.close();
        for (CompletableFuture<Position> f : waiting) {
            // Settled by close(); completed on the callback executor, so a moment later.
            assertThatThrownBy(() -> f.get(KitTimeouts.grace().toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(BrokerUnavailableException.class);
        }
    }
}
