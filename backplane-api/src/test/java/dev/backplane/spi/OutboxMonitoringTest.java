package dev.backplane.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.BackplaneEvent;
import dev.backplane.Position;
import dev.backplane.PublishFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the outbox tells the backplane's monitor; a manual ticker and callback queue, nothing sleeps. */
class OutboxMonitoringTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final BackplaneEvent.Source SOURCE = new BackplaneEvent.Source("test", "p", "test://h:1");

    private final AtomicLong now = new AtomicLong();
    private final ConcurrentLinkedQueue<Runnable> callbacks = new ConcurrentLinkedQueue<>();
    private final Completions completions = new Completions(callbacks::add);
    private final BackplaneMonitor monitor = new BackplaneMonitor(() -> SOURCE, callbacks::add,
            new EventDispatcher<>(callbacks::add), now::get);
    private final List<BackplaneEvent> events = new CopyOnWriteArrayList<>();

    OutboxMonitoringTest() {
        monitor.addListener(events::add);
    }

    private PublishOutbox outbox(int maxPending) {
        return new PublishOutbox("Test broker at h:1", TIMEOUT, maxPending, 1 << 20, completions, null, now::get,
                monitor);
    }

    private void runCallbacks() {
        for (Runnable r; (r = callbacks.poll()) != null; ) {
            r.run();
        }
    }

    @Test
    void successesAreCountedWithTheirLatencyFromCallToAcceptance() {
        PublishOutbox outbox = outbox(10);
        List<Long> latencies = new CopyOnWriteArrayList<>();
        monitor.onPublishLatency(latencies::add);
        PendingPublish p = outbox.submit("c", new byte[] {1});
        now.addAndGet(7_000_000);
        outbox.succeed(outbox.poll(), Position.NONE);
        assertThat(monitor.publishes()).isEqualTo(1);
        assertThat(latencies).containsExactly(7_000_000L);
        assertThat(p.future()).isNotDone(); // completes on the callback executor only
        runCallbacks();
        assertThat(p.future()).isCompleted();
    }

    @Test
    void failuresAreCountedByCauseAndRaisedAsEvents() {
        PublishOutbox outbox = outbox(2);
        outbox.submit("full", new byte[0]);
        outbox.submit("full", new byte[0]);
        outbox.submit("full", new byte[0]); // over the bound: refused at the call
        PendingPublish written = outbox.poll();
        outbox.markWritten(written);
        outbox.lost(written, "connection reset", null);
        now.addAndGet(TIMEOUT.toNanos());
        outbox.sweep(); // the other one expires, never written
        outbox.fail(outbox.submit("refused", new byte[0]), new dev.backplane.BackplaneConfigurationException("NOPERM"));
        outbox.close();
        outbox.submit("closed", new byte[0]);
        runCallbacks();

        assertThat(monitor.publishFailures(PublishFailure.OUTBOX_FULL)).isEqualTo(1);
        assertThat(monitor.publishFailures(PublishFailure.OUTCOME_UNKNOWN)).isEqualTo(1);
        assertThat(monitor.publishFailures(PublishFailure.UNAVAILABLE)).isEqualTo(1);
        assertThat(monitor.publishFailures(PublishFailure.REFUSED)).isEqualTo(1);
        assertThat(monitor.publishFailures(PublishFailure.CLOSED)).isEqualTo(1);
        assertThat(events).filteredOn(BackplaneEvent.PublishFailed.class::isInstance).extracting(e ->
                ((BackplaneEvent.PublishFailed) e).cause()).containsExactly(PublishFailure.OUTBOX_FULL,
                        PublishFailure.OUTCOME_UNKNOWN, PublishFailure.UNAVAILABLE, PublishFailure.REFUSED,
                        PublishFailure.CLOSED);
    }

    @Test
    void anOutboxOverTheThresholdRaisesFillingOnceAndDrainedAtHalfOfIt() {
        PublishOutbox outbox = outbox(10);
        for (int i = 0; i < 10; i++) {
            outbox.submit("c", new byte[0]);
        }
        assertThat(monitor.outboxDepth()).isEqualTo(10);
        for (int i = 0; i < 5; i++) {
            outbox.succeed(outbox.poll(), Position.NONE); // 5 left: 0.5, not yet half the threshold
        }
        runCallbacks();
        assertThat(events).filteredOn(e -> !(e instanceof BackplaneEvent.PublishFailed)).hasSize(1)
                .first().isInstanceOfSatisfying(BackplaneEvent.OutboxFilling.class, e -> {
                    assertThat(e.pending()).isEqualTo(9);
                    assertThat(e.maxPending()).isEqualTo(10);
                });
        outbox.succeed(outbox.poll(), Position.NONE);
        runCallbacks();
        assertThat(events).last().isInstanceOf(BackplaneEvent.OutboxDrained.class);
        assertThat(monitor.outboxDepth()).isEqualTo(4);
    }
}
