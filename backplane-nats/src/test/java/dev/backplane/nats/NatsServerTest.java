package dev.backplane.nats;

import static dev.backplane.nats.Opened.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the tests that run against one real nats-server per class: the server, the backplanes
 * a test opened (closed after it), subscriber failures (rethrown after it) and a server that is
 * running again after every test, whatever an outage test left behind.
 */
abstract class NatsServerTest {

    static Broker broker;
    final Opened opened = new Opened();
    final AsyncFailures failures = new AsyncFailures();

    @BeforeAll
    static void startNats() {
        broker = Brokers.nats();
    }

    @AfterAll
    static void stopNats() {
        broker.close();
    }

    @AfterEach
    void closeBackplanes() {
        broker.start(); // after an outage test, whatever happened
        opened.close();
        failures.rethrow();
    }

    /** Subscribes a recorder that checks order and records failures in {@link #failures}. */
    Recorder subscribe(Backplane backplane, String channel) {
        Recorder recorder = new Recorder(channel, failures, true);
        await(backplane.subscribe(channel, recorder));
        return recorder;
    }

    /**
     * Asserts that callbacks on publish futures may publish and join, and that a publish made
     * afterwards completes within publishTimeout: 10 chained pairs, then one more; all 21 delivered.
     */
    void assertCallbacksMayPublishAndJoin(Backplane a) {
        Recorder recorder = subscribe(a, "reentrant");
        java.util.List<java.util.concurrent.CompletableFuture<dev.backplane.Position>> chained = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String inner = "inner-" + i;
            chained.add(a.publish("reentrant", utf8("outer-" + i)).thenApply(p -> a.publish("reentrant", utf8(inner)).join()));
        }
        java.time.Duration bound = KitTimeouts.publish().multipliedBy(2).plus(KitTimeouts.grace());
        for (java.util.concurrent.CompletableFuture<dev.backplane.Position> future : chained) {
            Opened.awaitDone(future, bound);
            assertThat(future).as("a publish made and joined inside a callback on a publish future").isCompleted()
                    .isNotCompletedExceptionally();
        }
        java.util.concurrent.CompletableFuture<dev.backplane.Position> later = a.publish("reentrant", utf8("after"));
        Opened.awaitDone(later, KitTimeouts.publish().plus(KitTimeouts.grace()));
        assertThat(later).isNotCompletedExceptionally();
        recorder.awaitCount(21);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
