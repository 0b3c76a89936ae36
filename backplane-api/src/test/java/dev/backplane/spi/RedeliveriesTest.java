package dev.backplane.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Delivery;
import dev.backplane.Position;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedeliveriesTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<Delivery> dispatched = new CopyOnWriteArrayList<>();
    private final Redeliveries redeliveries = new Redeliveries(Duration.ofMillis(100), timer, Runnable::run, dispatched::add);

    @AfterEach
    void stop() {
        redeliveries.close();
        timer.shutdownNow();
    }

    @Test
    void anUnacknowledgedDeliveryComesAgainFlaggedRedelivered() throws Exception {
        redeliveries.deliver("c", new byte[] {1}, Position.of("7"));
        Thread.sleep(400);
        assertThat(dispatched).hasSizeGreaterThanOrEqualTo(2);
        assertThat(dispatched.get(0).redelivered()).isFalse();
        assertThat(dispatched.get(1).redelivered()).isTrue();
        assertThat(dispatched.get(1).position()).isEqualTo(Position.of("7"));
        assertThat(dispatched.get(1).payload()).containsExactly(1);
        assertThat(redeliveries.pending()).isEqualTo(1);
    }

    @Test
    void anAcknowledgedDeliveryNeverComesAgain() throws Exception {
        redeliveries.deliver("c", new byte[] {1}, Position.NONE);
        dispatched.get(0).ack();
        dispatched.get(0).ack();
        Thread.sleep(400);
        assertThat(dispatched).hasSize(1);
        assertThat(redeliveries.pending()).isZero();
    }

    @Test
    void acknowledgingTheRedeliveryEndsIt() throws Exception {
        List<Delivery> seen = new CopyOnWriteArrayList<>();
        Redeliveries acking = new Redeliveries(Duration.ofMillis(100), timer, Runnable::run, d -> {
            seen.add(d);
            if (d.redelivered()) {
                d.ack();
            }
        });
        acking.deliver("c", new byte[] {1}, Position.NONE);
        acking.deliver("c", new byte[] {2}, Position.NONE);
        seen.get(1).ack();
        Thread.sleep(500);
        assertThat(acking.pending()).isZero();
        acking.close();
        assertThat(seen).extracting(d -> d.payload()[0] + (d.redelivered() ? "r" : ""))
                .containsExactly("1", "2", "1r");
    }

    @Test
    void theAckTimeoutStartsWhenTheSubscriberIsGivenTheDeliveryNotWhenItIsQueued() throws Exception {
        // A subscriber that takes longer than the ack timeout over its first delivery (which may
        // so come again): the ones queued behind it get their full timeout once handed over, and
        // being acknowledged at once, must never come again.
        ExecutorService serial = Executors.newSingleThreadExecutor();
        List<String> seen = new CopyOnWriteArrayList<>();
        Redeliveries slow = new Redeliveries(Duration.ofMillis(150), timer, serial, d -> {
            seen.add(d.payload()[0] + (d.redelivered() ? "r" : ""));
            if (d.payload()[0] == 0 && !d.redelivered()) {
                sleep(600);
            }
            d.ack();
        });
        for (byte i = 0; i < 5; i++) {
            slow.deliver("c", new byte[] {i}, Position.NONE);
        }
        Thread.sleep(1200);
        slow.close();
        serial.shutdownNow();
        assertThat(seen.subList(0, 5)).containsExactly("0", "1", "2", "3", "4");
        assertThat(seen.subList(5, seen.size())).as("redeliveries").containsOnly("0r");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void nothingIsRedeliveredAfterClose() throws Exception {
        redeliveries.deliver("c", new byte[] {1}, Position.NONE);
        redeliveries.close();
        Thread.sleep(300);
        assertThat(dispatched).hasSize(1);
    }
}
