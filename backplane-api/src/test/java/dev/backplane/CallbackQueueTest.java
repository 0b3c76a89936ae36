package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CallbackQueueTest {

    @Test
    void noTaskWaitsWhileEveryTakerIsParked() throws Exception {
        // Takers block in take() with no timeout and nothing else wakes them: a lost wake-up leaves a
        // task in the queue for good, seen here as a round whose count never reaches its total.
        // Rounds alternate bursts with pauses longer than the watch, so takers park between rounds
        // and every round starts with offers racing takers on their way to park.
        CallbackQueue queue = new CallbackQueue();
        AtomicLong ran = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> takers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Thread t = new Thread(() -> {
                try {
                    for (;;) {
                        queue.take().run();
                    }
                } catch (InterruptedException stop) {
                    // the test is over
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "taker-" + i);
            t.setDaemon(true);
            t.start();
            takers.add(t);
        }
        try {
            long expected = 0;
            for (int round = 0; round < 300; round++) {
                int producers = 1 + round % 4;
                int perProducer = 1 + ThreadLocalRandom.current().nextInt(round % 7 == 0 ? 2_000 : 20);
                CountDownLatch start = new CountDownLatch(1);
                List<Thread> offering = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    Thread producer = new Thread(() -> {
                        awaitQuietly(start);
                        for (int k = 0; k < perProducer; k++) {
                            if (k % 5 == 4) {
                                queue.offerFirst(ran::incrementAndGet);
                            } else {
                                queue.offer(ran::incrementAndGet);
                            }
                        }
                    });
                    producer.start();
                    offering.add(producer);
                }
                start.countDown();
                for (Thread producer : offering) {
                    producer.join();
                }
                expected += (long) producers * perProducer;
                long total = expected;
                awaitCondition(() -> ran.get() == total, 10_000,
                        "round " + round + ": " + total + " tasks run, " + ran.get() + " ran, "
                                + queue.size() + " still queued");
                if (round % 3 == 0) { // every taker past its watch and parked before the next burst
                    awaitCondition(() -> takers.stream().allMatch(t -> t.getState() == Thread.State.WAITING),
                            10_000, "round " + round + ": every taker parks");
                }
            }
            assertThat(failure.get()).isNull();
        } finally {
            takers.forEach(Thread::interrupt);
        }
    }

    @Test
    void anOfferRacingTheEndOfAWatchWakesTheTaker() throws Exception {
        // One taker, and each task offered a random 0-3 watch lengths after the one before ran: offers
        // land while the taker watches, as it stops watching, as it enlists and after it parked. A
        // wake-up lost in any of those windows leaves this task queued beside a parked taker for good.
        CallbackQueue queue = new CallbackQueue();
        AtomicLong ran = new AtomicLong();
        Thread taker = new Thread(() -> {
            try {
                for (;;) {
                    queue.take().run();
                }
            } catch (InterruptedException stop) {
                // the test is over
            }
        }, "taker");
        taker.setDaemon(true);
        taker.start();
        try {
            for (int i = 1; i <= 20_000; i++) {
                long delay = ThreadLocalRandom.current().nextLong(3 * CallbackQueue.WATCH_NANOS);
                for (long start = System.nanoTime(); System.nanoTime() - start < delay; ) {
                    Thread.onSpinWait(); // a delay in microseconds: the point of the test is where the offer lands
                }
                queue.offer(ran::incrementAndGet);
                long expected = i;
                awaitCondition(() -> ran.get() == expected, 10_000,
                        "task " + i + " offered " + delay + " ns after the one before ran");
            }
        } finally {
            taker.interrupt();
        }
    }

    @Test
    void aTimedPollOnAnEmptyQueueReturnsNullAfterItsTimeout() throws InterruptedException {
        CallbackQueue queue = new CallbackQueue();
        long start = System.nanoTime();
        assertThat(queue.poll(30, TimeUnit.MILLISECONDS)).isNull();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
    }

    @Test
    void aTakerParkedWithATimeoutIsWokenByAnOffer() throws Exception {
        CallbackQueue queue = new CallbackQueue();
        AtomicReference<Runnable> taken = new AtomicReference<>();
        Thread taker = new Thread(() -> {
            try {
                taken.set(queue.poll(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        taker.start();
        awaitCondition(() -> taker.getState() == Thread.State.TIMED_WAITING, 5_000, "the taker parks");
        Runnable task = () -> { };
        queue.offer(task);
        taker.join(5_000);
        assertThat(taker.isAlive()).as("the taker still waits after an offer").isFalse();
        assertThat(taken.get()).isSameAs(task);
    }

    @Test
    void anInterruptedTakerThrowsAndLeavesTheTaskToAnother() throws Exception {
        CallbackQueue queue = new CallbackQueue();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread taker = new Thread(() -> {
            try {
                queue.take();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        taker.start();
        awaitCondition(() -> taker.getState() == Thread.State.WAITING, 5_000, "the taker parks");
        taker.interrupt();
        taker.join(5_000);
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        Runnable task = () -> { };
        queue.offer(task);
        assertThat(queue.poll(1, TimeUnit.SECONDS)).isSameAs(task);
    }

    @Test
    void tasksComeOutInOrderAndOfferFirstGoesToTheHead() throws InterruptedException {
        CallbackQueue queue = new CallbackQueue();
        Runnable a = () -> { };
        Runnable b = () -> { };
        Runnable c = () -> { };
        queue.offer(a);
        queue.offer(b);
        queue.offerFirst(c);
        assertThat(queue.size()).isEqualTo(3);
        assertThat(queue.take()).isSameAs(c);
        assertThat(queue.take()).isSameAs(a);
        List<Runnable> rest = new ArrayList<>();
        assertThat(queue.drainTo(rest)).isEqualTo(1);
        assertThat(rest).containsExactly(b);
        assertThat(queue.isEmpty()).isTrue();
        assertThatThrownBy(() -> queue.offer(null)).isInstanceOf(NullPointerException.class);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition, long millis, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (int i = 0; !condition.getAsBoolean(); i++) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + millis + " ms: " + what);
            }
            if (i < 1_000) {
                Thread.yield(); // most conditions here hold within microseconds
            } else {
                Thread.sleep(1);
            }
        }
    }
}
