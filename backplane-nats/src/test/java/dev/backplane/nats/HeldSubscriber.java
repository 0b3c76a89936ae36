package dev.backplane.nats;

import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.tck.KitTimeouts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A subscriber that stays inside its first {@code onMessage} until released, then takes
 * everything at once; it records messages (as text, with their delivery) and gaps in the order they
 * came, and acknowledges each message on return.
 */
final class HeldSubscriber implements Subscriber {

    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Object> events = new ArrayList<>(); // guarded by this: String or Gap
    private final List<Delivery> deliveries = new ArrayList<>(); // guarded by this

    @Override
    public void onMessage(Delivery delivery) {
        synchronized (this) {
            events.add(new String(delivery.payload(), StandardCharsets.UTF_8));
            deliveries.add(delivery);
            notifyAll();
        }
        holding.countDown();
        await(release, "release");
        delivery.ack();
    }

    @Override
    public synchronized void onGap(Gap gap) {
        events.add(gap);
        notifyAll();
    }

    /** Waits until the subscriber is inside its first delivery. */
    void awaitHeld() {
        await(holding, "the first delivery");
    }

    void release() {
        release.countDown();
    }

    /** The events so far, in order: message texts and gaps. */
    synchronized List<Object> events() {
        return new ArrayList<>(events);
    }

    synchronized List<Delivery> deliveries() {
        return new ArrayList<>(deliveries);
    }

    /** Waits until an event satisfies {@code condition}. */
    synchronized void awaitEvent(Predicate<Object> condition, String meaning) {
        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
        while (events.stream().noneMatch(condition)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + meaning + " within " + KitTimeouts.delivery() + "; got " + events);
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(KitTimeouts.delivery().toMillis() * 3, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("waited too long for " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
