package dev.backplane.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Delivery;
import dev.backplane.Position;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Time is a manual ticker and the sweep is run by hand: nothing here sleeps. */
class RedeliveriesTest {

    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

    private final AtomicLong now = new AtomicLong(1_000);
    private final Ticker ticker = now::get;
    private final List<Delivery> dispatched = new CopyOnWriteArrayList<>();
    private final AtomicInteger capacityCalls = new AtomicInteger();

    private Redeliveries tracker(int maxUnacknowledged, Executor serial, java.util.function.Consumer<Delivery> handOver) {
        return new Redeliveries(ACK_TIMEOUT, maxUnacknowledged, capacityCalls::incrementAndGet, null, ticker, serial,
                handOver);
    }

    private Redeliveries tracker() {
        return tracker(100, Runnable::run, dispatched::add);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void anUnacknowledgedDeliveryComesAgainFlaggedRedeliveredAfterTheAckTimeout() {
        Redeliveries redeliveries = tracker();
        redeliveries.deliver("c", new byte[] {1}, Position.of("7"));
        advance(ACK_TIMEOUT.minusMillis(1));
        redeliveries.sweep();
        assertThat(dispatched).as("before the ack timeout").hasSize(1);

        advance(Duration.ofMillis(1));
        redeliveries.sweep();

        assertThat(dispatched).hasSize(2);
        assertThat(dispatched.get(0).redelivered()).isFalse();
        assertThat(dispatched.get(1).redelivered()).isTrue();
        assertThat(dispatched.get(1).position()).isEqualTo(Position.of("7"));
        assertThat(dispatched.get(1).payload()).containsExactly(1);
        assertThat(redeliveries.pending()).isEqualTo(1);
    }

    @Test
    void anAcknowledgedDeliveryNeverComesAgain() {
        Redeliveries redeliveries = tracker();
        redeliveries.deliver("c", new byte[] {1}, Position.NONE);
        dispatched.get(0).ack();
        dispatched.get(0).ack();
        advance(ACK_TIMEOUT.multipliedBy(3));
        redeliveries.sweep();
        assertThat(dispatched).hasSize(1);
        assertThat(redeliveries.pending()).isZero();
    }

    @Test
    void acknowledgingTheRedeliveryEndsIt() {
        List<Delivery> seen = new CopyOnWriteArrayList<>();
        Redeliveries acking = tracker(100, Runnable::run, d -> {
            seen.add(d);
            if (d.redelivered()) {
                d.ack();
            }
        });
        acking.deliver("c", new byte[] {1}, Position.NONE);
        acking.deliver("c", new byte[] {2}, Position.NONE);
        seen.get(1).ack();
        advance(ACK_TIMEOUT);
        acking.sweep();
        advance(ACK_TIMEOUT);
        acking.sweep();
        assertThat(acking.pending()).isZero();
        assertThat(seen).extracting(d -> d.payload()[0] + (d.redelivered() ? "r" : ""))
                .containsExactly("1", "2", "1r");
    }

    @Test
    void theAckTimeoutStartsWhenTheSubscriberIsGivenTheDeliveryNotWhenItIsQueued() {
        // A backlog: five deliveries queued, handed over one by one as time passes. Each gets its
        // full timeout from its own hand-over, so none is redelivered early.
        Queue<Runnable> serial = new ArrayDeque<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        Redeliveries slow = tracker(100, serial::add, d -> seen.add(d.payload()[0] + (d.redelivered() ? "r" : "")));
        for (byte i = 0; i < 5; i++) {
            slow.deliver("c", new byte[] {i}, Position.NONE);
        }
        serial.poll().run(); // the first is handed over now
        advance(ACK_TIMEOUT.minusSeconds(1));
        for (Runnable r; (r = serial.poll()) != null; ) {
            r.run(); // the rest only now, nine seconds later
        }
        advance(Duration.ofSeconds(1));
        slow.sweep();
        for (Runnable r; (r = serial.poll()) != null; ) {
            r.run();
        }
        assertThat(seen).containsExactly("0", "1", "2", "3", "4", "0r");
    }

    @Test
    void nothingIsRedeliveredAfterClose() {
        Redeliveries redeliveries = tracker();
        redeliveries.deliver("c", new byte[] {1}, Position.NONE);
        redeliveries.close();
        advance(ACK_TIMEOUT.multipliedBy(2));
        redeliveries.sweep();
        assertThat(dispatched).hasSize(1);
    }

    @Test
    void capacityEndsAtMaxUnacknowledgedAndComesBackAtHalf() {
        Redeliveries redeliveries = tracker(4, Runnable::run, dispatched::add);
        for (int i = 0; i < 4; i++) {
            assertThat(redeliveries.hasCapacity()).as("before delivery %d", i).isTrue();
            redeliveries.deliver("c", new byte[] {(byte) i}, Position.NONE);
        }
        assertThat(redeliveries.hasCapacity()).as("at the bound").isFalse();

        dispatched.get(0).ack();
        assertThat(capacityCalls).as("one ack is not enough: resume at half").hasValue(0);
        dispatched.get(1).ack();

        assertThat(capacityCalls).as("the hook, once").hasValue(1);
        assertThat(redeliveries.hasCapacity()).isTrue();
        dispatched.get(2).ack();
        assertThat(capacityCalls).as("no second call without a refusal in between").hasValue(1);
    }

    @Test
    void aRedeliveryDoesNotCountTwiceAgainstTheBound() {
        Redeliveries redeliveries = tracker(2, Runnable::run, dispatched::add);
        redeliveries.deliver("c", new byte[] {1}, Position.NONE);
        advance(ACK_TIMEOUT);
        redeliveries.sweep();
        assertThat(dispatched).hasSize(2);
        assertThat(redeliveries.pending()).isEqualTo(1);
        assertThat(redeliveries.hasCapacity()).isTrue();
    }

    @Test
    void anAcknowledgedDeliveryIsNotHeldUntilTheSweep() {
        Redeliveries redeliveries = tracker();
        for (int i = 0; i < 5; i++) {
            redeliveries.deliver("c", new byte[] {(byte) i}, Position.ofWholeNumber(i));
        }
        assertThat(redeliveries.held()).isEqualTo(5);
        dispatched.get(1).ack();
        assertThat(redeliveries.held()).as("acknowledged behind an unacknowledged one").isEqualTo(5);
        dispatched.get(0).ack();
        assertThat(redeliveries.held()).as("the acknowledged head and the acknowledged one after it").isEqualTo(3);
        dispatched.get(2).ack();
        dispatched.get(3).ack();
        dispatched.get(4).ack();
        assertThat(redeliveries.held()).as("all acknowledged, no sweep run").isZero();
        assertThat(redeliveries.pending()).isZero();

        advance(ACK_TIMEOUT.multipliedBy(2));
        redeliveries.sweep();
        assertThat(dispatched).hasSize(5);
    }

    @Test
    void anUnacknowledgedDeliveryAheadOfAcknowledgedOnesIsStillRedelivered() {
        Redeliveries redeliveries = tracker();
        for (int i = 0; i < 3; i++) {
            redeliveries.deliver("c", new byte[] {(byte) i}, Position.ofWholeNumber(i));
        }
        dispatched.get(0).ack();
        dispatched.get(2).ack();
        assertThat(redeliveries.held()).isEqualTo(2);

        advance(ACK_TIMEOUT);
        redeliveries.sweep();

        assertThat(dispatched).hasSize(4);
        assertThat(dispatched.get(3).redelivered()).isTrue();
        assertThat(dispatched.get(3).position()).isEqualTo(Position.of("1"));
        assertThat(redeliveries.held()).as("the redelivery only").isEqualTo(1);
        assertThat(redeliveries.pending()).isEqualTo(1);
        dispatched.get(3).ack();
        assertThat(redeliveries.held()).isZero();
        assertThat(redeliveries.pending()).isZero();
    }
}
