package dev.backplane.redis;

import static dev.backplane.redis.PubSubTestSupport.await;
import static dev.backplane.redis.PubSubTestSupport.failureOf;
import static dev.backplane.redis.PubSubTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.tck.Recorder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** What a Redis restart does to publishes and subscriptions. Each test stops and restarts this class's private Redis. */
class RedisPubSubOutageTest extends RedisBrokerTest {

    // Made per test, after @BeforeAll started the broker.
    private final PubSubTestSupport support = new PubSubTestSupport(broker, "o");

    @AfterEach
    void restartAndClose() {
        try {
            broker.start(); // no-op when running
        } finally {
            support.close();
        }
        failures.rethrow();
    }

    /** Publishes numbered messages until the recorder has one, as an at-most-once subscriber may miss the first few. */
    private static void publishUntilReceived(Backplane publisher, String channel, Recorder recorder) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int i = 0; recorder.received().isEmpty(); i++) {
            assertThat(System.nanoTime()).as("a message got through after the restart").isLessThan(deadline);
            try {
                publisher.publish(channel, utf8("after-" + i)).get(2, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // the publisher may still be reconnecting
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aPublishWhileRedisIsDownFailsWithinThePublishTimeoutNamingTheAddress() throws Exception {
        Backplane connectedBefore = support.open(Map.of("publishTimeout", "700ms"));
        await(connectedBefore.publish("c", utf8("before")));
        Backplane neverConnected = support.open(Map.of("publishTimeout", "700ms"));
        broker.stop();
        Throwable waited = failureOf(neverConnected.publish("c", utf8("during")));
        assertThat(waited).isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining(broker.address())
                .hasMessageContaining("publishTimeout 700ms");
        // Its connection died under it: it fails at once (outcome unknown) or at its timeout, never succeeds.
        Throwable stale = failureOf(connectedBefore.publish("c", utf8("during")));
        assertThat(stale).isInstanceOf(BrokerUnavailableException.class).hasMessageContaining(broker.address());
    }

    @Test
    void aPublishWhileRedisIsDownWaitsInTheOutboxAndSucceedsOnlyOnceRedisTookIt() throws Exception {
        Backplane backplane = support.open(Map.of("publishTimeout", "20s"));
        broker.stop();
        CompletableFuture<Position> during = backplane.publish("c", utf8("during"));
        Thread.sleep(300);
        assertThat(during).as("no success while Redis is down").isNotDone();
        broker.start(); // a fresh server: its command statistics start at zero
        assertThat(await(during)).isEqualTo(Position.NONE);
        try (Jedis jedis = support.redis()) {
            assertThat(jedis.info("commandstats")).as("the restarted Redis received the PUBLISH")
                    .contains("cmdstat_publish:calls=1,");
        }
    }

    @Test
    void subscriptionsAreRenewedAfterRedisRestarts() throws Exception {
        Backplane subscriber = support.open(Map.of());
        Backplane publisher = support.open(Map.of());
        Recorder recorder = new Recorder("renewed", failures, true);
        await(subscriber.subscribe("renewed", recorder));
        broker.stop();
        broker.start();
        publishUntilReceived(publisher, "renewed", recorder);
        try (Jedis jedis = support.redis()) {
            assertThat(jedis.pubsubNumSub(support.prefix() + ":renewed")).containsEntry(support.prefix() + ":renewed", 1L);
        }
    }

    @Test
    void everyActiveSubscriptionIsToldOfTheOutageByAGapBeforeLaterMessages() throws Exception {
        Backplane subscriber = support.open(Map.of());
        Backplane publisher = support.open(Map.of());
        Recorder first = new Recorder("gap", failures, true);
        Recorder second = new Recorder("gap", failures, true);
        Recorder other = new Recorder("other", failures, true);
        await(subscriber.subscribe("gap", first));
        await(subscriber.subscribe("gap", second));
        await(subscriber.subscribe("other", other));
        broker.stop();
        broker.start();
        for (Recorder r : List.of(first, second, other)) {
            Gap gap = r.awaitGap();
            assertThat(gap.reason()).contains(broker.address()).contains("at-most-once");
        }
        assertThat(first.gaps().get(0).channel()).isEqualTo("gap");
        assertThat(other.gaps().get(0).channel()).isEqualTo("other");
        publishUntilReceived(publisher, "gap", first);
        assertThat(first.gaps()).as("one outage, one gap").hasSize(1);
    }

    @Test
    void aSubscribeWhileRedisIsDownCompletesOnceItIsBackWithoutAGap() throws Exception {
        Backplane subscriber = support.open(Map.of("connectTimeout", "20s"));
        Backplane publisher = support.open(Map.of());
        await(subscriber.subscribe("warmup", new Recorder("warmup", failures, true)));
        broker.stop();
        Recorder late = new Recorder("late", failures, true);
        CompletableFuture<?> subscribed = subscriber.subscribe("late", late);
        Thread.sleep(300);
        assertThat(subscribed).as("not active while Redis is down").isNotDone();
        broker.start();
        await(subscribed);
        await(publisher.publish("late", utf8("hello")));
        assertThat(late.awaitCount(1).get(0).text()).isEqualTo("hello");
        assertThat(late.gaps()).as("it was not active before the outage").isEmpty();
    }

    @Test
    void closingWhileRedisIsDownFailsWaitingPublishesAndSubscribesAtOnce() throws Exception {
        Backplane backplane = support.open(Map.of("publishTimeout", "30s", "connectTimeout", "30s"));
        broker.stop();
        CompletableFuture<Position> publish = backplane.publish("c", utf8("during"));
        CompletableFuture<?> subscribe = backplane.subscribe("c", new Recorder("c", failures, true));
        long started = System.nanoTime();
        backplane.close();
        assertThat(failureOf(publish)).isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("closed");
        assertThat(failureOf(subscribe)).isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("closed");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started))
                .as("close does not wait for the 30 s timeouts").isLessThan(10);
    }
}
