package dev.backplane.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Registration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventDispatcherTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4, new DaemonThreads("events-test"));
    private final EventDispatcher<Integer> events = new EventDispatcher<>(pool);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void eachListenerHearsEveryEventInOrderOffTheCallingThread() throws InterruptedException {
        List<Integer> heard = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(1000);
        events.add(e -> {
            heard.add(e);
            threads.add(Thread.currentThread().getName());
            all.countDown();
        });
        for (int i = 0; i < 1000; i++) {
            events.publish(i);
        }
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(heard).isSorted().hasSize(1000);
        assertThat(threads).allMatch(t -> t.startsWith("events-test"));
    }

    @Test
    void aListenerThatThrowsOrBlocksHoldsUpOnlyItself() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> blocked = new CopyOnWriteArrayList<>();
        events.add(e -> {
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            blocked.add(e);
        });
        events.add(e -> {
            throw new IllegalStateException("listener bug");
        });
        List<Integer> healthy = new CopyOnWriteArrayList<>();
        CountDownLatch three = new CountDownLatch(3);
        events.add(e -> {
            healthy.add(e);
            three.countDown();
        });
        events.publish(1);
        events.publish(2);
        events.publish(3);
        assertThat(three.await(10, TimeUnit.SECONDS)).as("the healthy listener heard all three").isTrue();
        assertThat(blocked).isEmpty();
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (blocked.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(blocked).containsExactly(1, 2, 3);
    }

    @Test
    void nobodyListeningMeansNoListenersAndAClosedRegistrationHearsNothingMore() throws InterruptedException {
        assertThat(events.hasListeners()).isFalse();
        List<Integer> heard = new CopyOnWriteArrayList<>();
        Registration r = events.add(heard::add);
        assertThat(events.hasListeners()).isTrue();
        r.close();
        assertThat(events.hasListeners()).isFalse();
        events.publish(1);
        pool.shutdown();
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(heard).isEmpty();
    }
}
