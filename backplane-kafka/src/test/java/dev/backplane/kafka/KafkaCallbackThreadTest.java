package dev.backplane.kafka;

import static dev.backplane.kafka.KafkaTestBackplanes.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BackplaneResources;
import dev.backplane.Position;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The callback-thread rule on Kafka: user code runs on the callback executor only, never on the
 * producer's or consumer's threads or on the backplane's own, so it may block or publish and wait.
 */
class KafkaCallbackThreadTest extends KafkaBrokerTest {

    private static final String CALLBACK_THREAD = "test-callback-";

    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService callbacks = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, CALLBACK_THREAD + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private final BackplaneResources resources = BackplaneResources.builder().callbackExecutor(callbacks).build();

    @BeforeAll
    static void openBroker() {
        broker = Brokers.kafka();
    }

    @AfterEach
    void closeResources() {
        kit.close();
        resources.close();
        callbacks.shutdownNow();
    }

    @Test
    void publishAndSubscribeFuturesAndDeliveriesCallUserCodeOnTheCallbackExecutorOnly() {
        Backplane a = kit.open("", resources);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch delivered = new CountDownLatch(20);
        CompletableFuture<Void> subscribed = a.subscribe("threads", d -> {
            seen.add("delivery on " + Thread.currentThread().getName());
            d.ack();
            delivered.countDown();
        }).thenAccept(s -> seen.add("subscribe callback on " + Thread.currentThread().getName()));
        await(subscribed);
        List<CompletableFuture<Void>> published = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            // Chained at once, before the broker answers: the callback runs where the future completes.
            published.add(a.publish("threads", ("m" + i).getBytes(StandardCharsets.UTF_8))
                    .thenAccept(p -> seen.add("publish callback on " + Thread.currentThread().getName())));
        }
        published.forEach(KafkaTestBackplanes::await);
        awaitLatch(delivered);
        assertThat(seen).isNotEmpty().allSatisfy(where -> assertThat(where)
                .as("the thread that ran user code").contains(" on " + CALLBACK_THREAD));
        assertThat(seen).anyMatch(w -> w.startsWith("publish")).anyMatch(w -> w.startsWith("delivery"))
                .anyMatch(w -> w.startsWith("subscribe"));
    }

    /** On the default callback executor, which makes up for threads that wait on a backplane future. */
    @Test
    void aPublishCallbackThatPublishesAndWaitsStallsNothing() {
        Backplane a = kit.open("publishTimeout=3s");
        Recorder r = kit.subscribe(a, "nested");
        List<CompletableFuture<Position>> nested = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String inner = "inner-" + i;
            nested.add(a.publish("nested", ("outer-" + i).getBytes(StandardCharsets.UTF_8))
                    .thenApply(p -> a.publish("nested", inner.getBytes(StandardCharsets.UTF_8)).join()));
        }
        nested.forEach(KafkaTestBackplanes::await);
        assertThat(await(a.publish("nested", "after".getBytes(StandardCharsets.UTF_8)))).isNotNull();
        r.awaitCount(17);
        assertThat(r.texts()).contains("inner-0", "inner-7", "after");
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS))
                    .as("every delivery arrived").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
