package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallbackPoolTest {

    @Test
    void callbacksThatBlockDoNotStarveTheOthers() throws InterruptedException {
        CallbackPool pool = CallbackPool.create("test", 2, 64);
        try {
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < 20; i++) { // far more blocked callbacks than kept threads
                pool.execute(() -> await(release));
            }
            CountDownLatch ran = new CountDownLatch(1);
            pool.execute(ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).as("a callback behind twenty blocked ones ran").isTrue();
            release.countDown();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void tasksOfferedAtOnceNeverWaitBehindThreadsThatAllBlock() throws InterruptedException {
        // Each round, several submitters hand in at once tasks that only finish when all of them run together:
        // one task left queued while every thread blocks is a deadlock, seen here as a round that never ends.
        CallbackPool pool = CallbackPool.create("test", 1, 256);
        try {
            for (int round = 0; round < 60; round++) {
                int tasks = 4 + 2 * round; // more than the threads left idle by the round before
                CountDownLatch together = new CountDownLatch(tasks);
                CountDownLatch done = new CountDownLatch(tasks);
                CountDownLatch start = new CountDownLatch(1);
                for (int i = 0; i < tasks; i++) {
                    Thread submitter = new Thread(() -> {
                        await(start);
                        pool.execute(() -> {
                            together.countDown();
                            await(together);
                            done.countDown();
                        });
                    });
                    submitter.start();
                }
                start.countDown();
                assertThat(done.await(10, TimeUnit.SECONDS))
                        .as("round %d: %d tasks offered at once all ran side by side", round, tasks).isTrue();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aSubmitterThatWaitsForEachTaskKeepsThePoolSmall() throws Exception {
        // Growth is for blocked callbacks, not for a steady stream of short ones: threads that are
        // free again take the next task instead of the pool making new ones.
        CallbackPool pool = CallbackPool.create("test", 2, 256);
        try {
            for (int i = 0; i < 20_000; i++) {
                pool.submit(() -> { }).get(10, TimeUnit.SECONDS);
            }
            assertThat(pool.getLargestPoolSize()).as("threads made for 20,000 short tasks one after another")
                    .isLessThanOrEqualTo(8);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aFloodOfShortTasksFromSeveralSubmittersDoesNotGrowThePool() throws Exception {
        // The threads are busy because they run, not because they block: more threads would only
        // add context switches. Every task starts within a few milliseconds of the one before.
        CallbackPool pool = CallbackPool.create("test", 2, 256);
        try {
            int perSubmitter = 50_000;
            CountDownLatch done = new CountDownLatch(4 * perSubmitter);
            Thread[] submitters = new Thread[4];
            for (int s = 0; s < submitters.length; s++) {
                submitters[s] = new Thread(() -> {
                    for (int i = 0; i < perSubmitter; i++) {
                        pool.execute(done::countDown);
                    }
                });
                submitters[s].start();
            }
            for (Thread submitter : submitters) {
                submitter.join(30_000);
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).as("every task ran").isTrue();
            assertThat(pool.getLargestPoolSize()).as("threads made for 200,000 short tasks handed in at once")
                    .isLessThanOrEqualTo(8);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void tasksQueuedBehindThreadsThatAllBlockGetANewThreadAndThePoolEndsWhenShutDown() throws Exception {
        CallbackPool pool = CallbackPool.create("test", 1, 4);
        try {
            CountDownLatch release = new CountDownLatch(1);
            pool.execute(() -> await(release));
            CountDownLatch ran = new CountDownLatch(3);
            for (int i = 0; i < 3; i++) {
                pool.execute(ran::countDown); // no offer makes a thread: the watchdog does
            }
            assertThat(ran.await(10, TimeUnit.SECONDS)).as("tasks behind a blocked thread ran").isTrue();
            release.countDown();
        } finally {
            pool.shutdown();
        }
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("the pool and its watchdog ended").isTrue();
    }

    @Test
    void aShutDownPoolStopsItsWatchdogEvenWhileATaskBlocksWithOthersQueued() throws Exception {
        CallbackPool pool = CallbackPool.create("shutdown-test", 1, 1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            pool.execute(() -> await(release));
            pool.execute(() -> { }); // queued behind it for good: the pool may not grow
            Thread watchdog = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("shutdown-test-callback-watchdog")).findFirst().orElseThrow();
            pool.shutdown();
            watchdog.join(10_000);
            assertThat(watchdog.isAlive()).as("the watchdog ended at shutdown, though a task still waits").isFalse();
        } finally {
            release.countDown();
        }
    }

    @Test
    void atItsLargestThePoolQueuesInOrderRatherThanRefusing() throws InterruptedException {
        CallbackPool pool = CallbackPool.create("test", 1, 2);
        try {
            CountDownLatch release = new CountDownLatch(1);
            pool.execute(() -> await(release));
            pool.execute(() -> await(release));
            CountDownLatch ran = new CountDownLatch(3);
            for (int i = 0; i < 3; i++) {
                pool.execute(ran::countDown); // queued: both threads are held
            }
            assertThat(ran.getCount()).isEqualTo(3);
            release.countDown();
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdown();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
