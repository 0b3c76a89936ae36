package dev.backplane.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bounds of what waits for one connection's sink: the buffer, its grace, the hard limit. */
class ConnectionOutboxTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<Runnable> drains = new ArrayList<>();
    // Holds the drain task until the test runs it: the sink is "slow" until then.
    private final Executor heldPool = drains::add;

    private ConnectionOutbox outbox(int limit, int hardLimit, Duration grace) {
        return new ConnectionOutbox("c", heldPool, limit, hardLimit, grace, now::get);
    }

    private static int offerUntilRefused(ConnectionOutbox outbox, int most) {
        for (int i = 0; i < most; i++) {
            if (!outbox.offer(() -> { })) {
                return i;
            }
        }
        return most;
    }

    @Test
    void withoutGraceTheBufferIsTheBound() {
        ConnectionOutbox outbox = outbox(4, 32, Duration.ZERO);
        assertThat(offerUntilRefused(outbox, 100)).isEqualTo(4);
    }

    @Test
    void withinTheGraceCallsOverTheBufferAreTakenUpToTheHardLimit() {
        ConnectionOutbox outbox = outbox(4, 32, Duration.ofSeconds(2));
        assertThat(offerUntilRefused(outbox, 100)).as("taken while the clock stands still").isEqualTo(32);
        assertThat(outbox.size()).isEqualTo(32);
    }

    @Test
    void pastTheGraceOverTheBufferACallIsRefused() {
        ConnectionOutbox outbox = outbox(4, 32, Duration.ofSeconds(2));
        assertThat(offerUntilRefused(outbox, 6)).isEqualTo(6); // over the buffer since the fifth
        now.addAndGet(Duration.ofMillis(1999).toNanos());
        assertThat(outbox.offer(() -> { })).as("within the grace").isTrue();
        now.addAndGet(Duration.ofMillis(2).toNanos());
        assertThat(outbox.offer(() -> { })).as("past the grace").isFalse();
    }

    @Test
    void drainingBelowTheBufferStartsTheGraceAfresh() {
        ConnectionOutbox outbox = outbox(4, 32, Duration.ofSeconds(2));
        assertThat(offerUntilRefused(outbox, 10)).isEqualTo(10);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        drains.remove(0).run(); // the sink catches up: everything waiting is run
        assertThat(outbox.size()).isZero();
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(offerUntilRefused(outbox, 10)).as("a new burst gets a grace of its own").isEqualTo(10);
        now.addAndGet(Duration.ofMillis(2001).toNanos());
        assertThat(outbox.offer(() -> { })).isFalse();
    }
}
