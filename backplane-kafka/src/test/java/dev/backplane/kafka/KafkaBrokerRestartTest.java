package dev.backplane.kafka;

import static dev.backplane.kafka.KafkaTestBackplanes.await;
import static dev.backplane.kafka.KafkaTestBackplanes.publish;
import static dev.backplane.kafka.KafkaTestBackplanes.publishEventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.PublishOutcomeUnknownException;
import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What stopping and restarting the broker (same port, same log directory) does to Kafka backplanes. */
class KafkaBrokerRestartTest {

    private static Broker broker;
    private KafkaTestBackplanes kit;
    private boolean stopped;

    @BeforeAll
    static void openBroker() {
        broker = Brokers.kafka();
    }

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void newKit() {
        Assumptions.assumeTrue(broker.controllable(), () -> "these tests stop and start the broker, and "
                + broker.description() + " cannot be stopped by them");
        kit = new KafkaTestBackplanes(broker);
    }

    @AfterEach
    void restartAndCloseKit() {
        try {
            if (stopped) {
                startBroker();
            }
        } finally {
            if (kit != null) {
                kit.close();
            }
        }
    }

    @Test
    void publishesMadeWhileTheBrokerIsDownAreSentInOrderWhenItReturnsWithinPublishTimeout() throws Exception {
        Backplane a = kit.open("publishTimeout=30s");
        Backplane b = kit.open("");
        Recorder r = kit.subscribe(b, "outbox");
        stopBroker();
        List<CompletableFuture<Position>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            futures.add(a.publish("outbox", ("o" + i).getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(futures).as("publishes waiting for the stopped broker").noneMatch(CompletableFuture::isDone);
        startBroker();
        List<Position> positions = new ArrayList<>();
        for (CompletableFuture<Position> f : futures) {
            positions.add(await(f));
        }
        assertThat(r.awaitCount(5)).extracting(Recorder.Received::text).containsExactly("o0", "o1", "o2", "o3", "o4");
        assertThat(r.received()).extracting(Recorder.Received::position).containsExactlyElementsOf(positions);
    }

    @Test
    void publishFailsWithinPublishTimeoutWhileTheBrokerStaysDownAndWorksOnceItIsBack() {
        Backplane a = kit.open("publishTimeout=1s");
        Backplane b = kit.open("");
        Recorder r = kit.subscribe(b, "down");
        stopBroker();
        long start = System.nanoTime();
        CompletableFuture<Position> future = a.publish("down", new byte[] {1});
        Throwable thrown = catchThrowable(() -> future.get(1000 + KitTimeouts.grace().toMillis(), TimeUnit.MILLISECONDS));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(thrown).as("outcome of a publish while the broker is down, after publishTimeout + grace")
                .isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining(broker.address())
                .hasMessageContaining("publishTimeout");
        assertThat(took).isLessThan(Duration.ofSeconds(1).plus(KitTimeouts.grace()));
        startBroker();
        publishEventually(a, "down", "back");
        r.awaitText("back"::equals, "the publish made once the broker was back");
        r.settle();
        // Handed to the producer before the backplane noticed the broker was gone, it failed as of unknown outcome
        // and may arrive after the restart; failed as not sent, it must never arrive.
        if (!(thrown.getCause() instanceof PublishOutcomeUnknownException)) {
            assertThat(r.received()).as("deliveries of the publish that failed as not sent while the broker was down")
                    .noneMatch(d -> d.payload().length == 1 && d.payload()[0] == 1);
        }
    }

    /**
     * While the broker is down, a publish fails either as "outcome unknown" (it had been handed to
     * the producer, which may have sent it) or as surely not sent. Once the backplane noticed that
     * the broker stopped answering, it holds later publishes back: those fail as not sent, saying
     * why, and none of them arrives after the restart.
     */
    @Test
    void publishesMadeWhileTheBrokerIsDownFailAsNotSentOnceTheBackplaneNoticedAndNeverArrive() {
        Duration timeout = Duration.ofSeconds(2);
        Backplane a = kit.open("publishTimeout=" + timeout.toMillis() + "ms");
        Backplane b = kit.open("");
        Recorder r = kit.subscribe(b, "held");
        publish(a, "held", "warm");
        r.awaitCount(1);
        stopBroker();
        long firstAt = System.nanoTime();
        CompletableFuture<Position> first = a.publish("held", "first".getBytes(StandardCharsets.UTF_8));
        // One every 20 ms until the first has failed: some may go before the backplane notices, the rest are held.
        Map<String, CompletableFuture<Position>> later = new LinkedHashMap<>();
        Map<String, Long> calledAt = new HashMap<>();
        long heldFrom = firstAt + KafkaPublisher.stallNanos(timeout) + TimeUnit.MILLISECONDS.toNanos(200);
        for (int i = 0; !first.isDone(); i++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            String text = "later-" + i;
            calledAt.put(text, System.nanoTime());
            later.put(text, a.publish("held", text.getBytes(StandardCharsets.UTF_8)));
        }
        later.put("first", first);
        calledAt.put("first", firstAt);

        List<String> notSent = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<Position>> e : later.entrySet()) {
            Throwable failure = catchThrowable(() -> await(e.getValue()));
            assertThat(failure).as("outcome of %s, made while the broker was down", e.getKey())
                    .isInstanceOf(BrokerUnavailableException.class).hasMessageContaining(broker.address());
            if (failure instanceof PublishOutcomeUnknownException) {
                assertThat(failure).hasMessageContaining("may or may not have been published");
                assertThat(calledAt.get(e.getKey())).as("%s failed as outcome unknown: it must have been made before "
                        + "the backplane noticed the outage", e.getKey()).isLessThan(heldFrom);
            } else {
                assertThat(failure).hasMessageContaining("not sent");
                notSent.add(e.getKey());
            }
        }
        assertThat(notSent).as("publishes that failed as not sent").isNotEmpty();
        startBroker();
        publishEventually(a, "held", "back");
        r.awaitText("back"::equals, "the publish made once the broker was back");
        r.settle();
        assertThat(r.texts()).as("deliveries of publishes that failed as not sent").doesNotContainAnyElementsOf(notSent);
    }

    @Test
    void subscribeWhileTheBrokerIsDownFailsWithinConnectTimeoutAndWorksOnceItIsBack() {
        Backplane a = kit.open("connectTimeout=1s");
        stopBroker();
        Recorder failed = new Recorder("later", kit.failures, true);
        Throwable thrown = catchThrowable(() -> a.subscribe("later", failed)
                .get(1000 + KitTimeouts.grace().toMillis(), TimeUnit.MILLISECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(BrokerUnavailableException.class).hasMessageContaining(broker.address());
        startBroker();
        Recorder r = kit.subscribe(a, "later");
        publish(a, "later", "hello");
        assertThat(r.awaitCount(1)).extracting(Recorder.Received::text).containsExactly("hello");
        assertThat(failed.size()).isZero();
    }

    @Test
    void positionsTakenBeforeARestartReplayAfterIt() {
        Backplane a = kit.open("");
        List<Position> positions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            positions.add(publish(a, "kept", "k" + i));
        }
        stopBroker();
        startBroker();
        Backplane b = kit.open("");
        Recorder r = kit.subscribe(b, "kept", Position.of(positions.get(1).value()));
        assertThat(r.awaitCount(3, KitTimeouts.recovery())).extracting(Recorder.Received::text)
                .containsExactly("k2", "k3", "k4");
        assertThat(r.received()).extracting(Recorder.Received::position).containsExactlyElementsOf(positions.subList(2, 5));
        assertThat(r.gaps()).isEmpty();
    }

    @Test
    void withATopicPerChannelSubscriptionsResumeAndNewChannelsWorkAfterARestart() {
        Backplane a = kit.open("topicPerChannel=true");
        Backplane b = kit.open("topicPerChannel=true");
        Recorder before = kit.subscribe(b, "room:1");
        publish(a, "room:1", "before");
        before.awaitCount(1);
        stopBroker();
        startBroker();
        publishEventually(a, "room:1", "after");
        Recorder fresh = kit.subscribe(b, "room:2");
        publish(a, "room:2", "new channel");
        assertThat(before.awaitCount(2, KitTimeouts.recovery())).extracting(Recorder.Received::text)
                .containsExactly("before", "after");
        assertThat(fresh.awaitCount(1)).extracting(Recorder.Received::text).containsExactly("new channel");
    }

    private void stopBroker() {
        broker.stop();
        stopped = true;
    }

    private void startBroker() {
        broker.start();
        stopped = false;
    }
}
