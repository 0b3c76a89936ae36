package dev.backplane.redis.streams;

import static dev.backplane.redis.streams.StreamsTestSupport.await;
import static dev.backplane.redis.streams.StreamsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BackplaneResources;
import dev.backplane.Position;
import dev.backplane.Subscription;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The callback-thread rule on Redis Streams: futures complete and subscribers run on the callback
 * executor of the resources, never on the instance's command or reader thread, so a callback may
 * publish and wait; and an instance starts no threads beyond those two.
 */
class RedisStreamsCallbackThreadTest extends RedisStreamsBrokerTest {

    private final AtomicInteger threadCount = new AtomicInteger();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "app-callback-" + threadCount.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    // Holds every callback task until opened, so that no future completes before the test chained on it.
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Executor callbacks = task -> pool.execute(() -> {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        task.run();
    });
    private final BackplaneResources resources = BackplaneResources.builder().callbackExecutor(callbacks)
            .threadNamePrefix("app").build();

    @AfterEach
    void closeResources() {
        support.close();
        resources.close();
        pool.shutdownNow();
    }

    @Test
    void publishAndSubscribeFuturesCompleteAndSubscribersRunOnTheCallbackExecutorOnly() {
        Backplane backplane = support.open(resources);
        List<String> threads = new CopyOnWriteArrayList<>();
        Recorder recorder = new Recorder("where", failures, true);
        CompletableFuture<Subscription> subscribed = backplane.subscribe("where", d -> {
            threads.add("onMessage on " + Thread.currentThread().getName());
            recorder.onMessage(d);
        });
        CompletableFuture<Void> subscribeCallback = subscribed.thenRun(
                () -> threads.add("subscribe callback on " + Thread.currentThread().getName()));
        List<CompletableFuture<Void>> publishCallbacks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            publishCallbacks.add(backplane.publish("where", utf8("m" + i))
                    .thenRun(() -> threads.add("publish callback on " + Thread.currentThread().getName())));
        }
        gate.countDown();
        await(subscribeCallback);
        publishCallbacks.forEach(StreamsTestSupport::await);
        recorder.awaitCount(20);

        assertThat(threads).as("every callback and subscriber call").hasSize(1 + 20 + 20)
                .allSatisfy(t -> assertThat(t).contains(" on app-callback-"));
    }

    @Test
    void aCallbackThatPublishesAndJoinsStallsNeitherItselfNorOtherPublishes() {
        gate.countDown();
        Backplane backplane = support.open(resources, "publishTimeout", "2s");
        Recorder recorder = new Recorder("reentrant", failures, true);
        await(backplane.subscribe("reentrant", recorder));
        List<CompletableFuture<Position>> chained = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String inner = "inner-" + i;
            chained.add(backplane.publish("reentrant", utf8("outer-" + i))
                    .thenApply(p -> backplane.publish("reentrant", utf8(inner)).join()));
        }
        // Each inner publish succeeds (one held up past publishTimeout would fail): the thread that
        // sends publishes is not the one waiting in join().
        chained.forEach(StreamsTestSupport::await);
        await(backplane.publish("reentrant", utf8("after")));
        recorder.awaitCount(11);
        assertThat(recorder.texts()).containsExactlyInAnyOrder("outer-0", "outer-1", "outer-2", "outer-3", "outer-4",
                "inner-0", "inner-1", "inner-2", "inner-3", "inner-4", "after");
    }

    @Test
    void anInstanceStartsOnlyItsCommandAndReaderThreads() {
        gate.countDown();
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Backplane backplane = support.open(resources, "ackTimeout", KitTimeouts.ack().toMillis() + "ms");
        Recorder unacknowledged = new Recorder("threads", failures, false);
        await(backplane.subscribe("threads", unacknowledged));
        await(backplane.publish("threads", utf8("once")));
        // Delivered, then delivered again after the ack timeout: deliveries and redeliveries ran.
        unacknowledged.awaitCount(2, KitTimeouts.delivery().plus(KitTimeouts.ack()));

        Set<String> started = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.getName().startsWith("backplane"))
                .map(Thread::getName).collect(Collectors.toSet());
        assertThat(started).as("threads the instance started (callbacks and deadlines use the resources)")
                .containsExactlyInAnyOrder("backplane-redis-streams-commands", "backplane-redis-streams-reader");
    }
}
