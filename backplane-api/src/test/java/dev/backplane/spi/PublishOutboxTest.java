package dev.backplane.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.PublishOutcomeUnknownException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A manual ticker and a callback executor the test runs by hand: nothing sleeps. */
class PublishOutboxTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final AtomicLong now = new AtomicLong(0);
    private final ConcurrentLinkedQueue<Runnable> callbacks = new ConcurrentLinkedQueue<>();
    private final Completions completions = new Completions(callbacks::add);

    private PublishOutbox outbox(int maxPending, long maxBytes) {
        return new PublishOutbox("Test broker at h:1", TIMEOUT, maxPending, maxBytes, completions, null, now::get);
    }

    private PublishOutbox outbox() {
        return outbox(100, 1 << 20);
    }

    private void runCallbacks() {
        for (Runnable r; (r = callbacks.poll()) != null; ) {
            r.run();
        }
    }

    private static Throwable failure(PendingPublish p) {
        assertThat(p.future()).isCompletedExceptionally();
        try {
            p.future().join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void aPublishNeverWrittenFailsAtItsDeadlineAsNotSentWithTheReasonGiven() {
        PublishOutbox outbox = outbox();
        outbox.unavailable("Test broker at h:1 is unreachable: connection refused");
        PendingPublish p = outbox.submit("c", new byte[] {1});
        now.addAndGet(TIMEOUT.toNanos() - 1);
        outbox.sweep();
        runCallbacks();
        assertThat(p.future()).isNotDone();

        now.addAndGet(1);
        outbox.sweep();
        runCallbacks();

        Throwable error = failure(p);
        assertThat(error).isExactlyInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("not sent").hasMessageContaining("connection refused");
        assertThat(outbox.poll()).as("an expired publish is never handed out").isNull();
        assertThat(outbox.pending()).isZero();
    }

    @Test
    void aWrittenPublishWithoutAnswerFailsAtItsDeadlineWithAnUnknownOutcome() {
        PublishOutbox outbox = outbox();
        PendingPublish p = outbox.submit("c", new byte[] {1});
        assertThat(outbox.poll()).isSameAs(p);
        assertThat(outbox.markWritten(p)).isTrue();
        now.addAndGet(TIMEOUT.toNanos());
        outbox.sweep();
        runCallbacks();
        assertThat(failure(p)).isInstanceOf(PublishOutcomeUnknownException.class)
                .hasMessageContaining("may or may not have been published");
    }

    @Test
    void aPublishThatExpiredBeforeItsWriteCannotBeMarkedWritten() {
        PublishOutbox outbox = outbox();
        PendingPublish p = outbox.submit("c", new byte[] {1});
        List<PendingPublish> taken = new ArrayList<>();
        outbox.drainTo(taken, 10);
        now.addAndGet(TIMEOUT.toNanos());
        outbox.sweep();
        assertThat(outbox.markWritten(taken.get(0))).as("too late: it failed as not sent").isFalse();
    }

    @Test
    void aWriteTheClientRefusedAtTheCallCountsAsNotSent() {
        PublishOutbox outbox = outbox();
        PendingPublish p = outbox.submit("c", new byte[] {1});
        assertThat(outbox.markWritten(outbox.poll())).isTrue();
        assertThat(outbox.notWritten(p)).isTrue();
        assertThat(p.outcomeUnknownIfLost()).as("refused before any byte left").isFalse();
        assertThat(outbox.markWritten(p)).as("it may be written later").isTrue();
        outbox.notWritten(p);
        now.addAndGet(TIMEOUT.toNanos());
        outbox.sweep();
        runCallbacks();
        assertThat(failure(p)).isExactlyInstanceOf(BrokerUnavailableException.class).hasMessageContaining("not sent");
        assertThat(outbox.notWritten(p)).as("settled: nothing to undo").isFalse();
    }

    @Test
    void aLostConnectionTellsWrittenFromUnwrittenPublishes() {
        PublishOutbox outbox = outbox();
        PendingPublish written = outbox.submit("c", new byte[] {1});
        PendingPublish notWritten = outbox.submit("c", new byte[] {2});
        outbox.markWritten(outbox.poll());
        outbox.lost(List.of(written, outbox.poll()), "the connection broke", null);
        runCallbacks();
        assertThat(failure(written)).isInstanceOf(PublishOutcomeUnknownException.class);
        assertThat(failure(notWritten)).isExactlyInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("not sent");
    }

    @Test
    void oneMorePublishThanTheBoundFailsAtOnceNamingTheOption() {
        PublishOutbox outbox = outbox(2, 1 << 20);
        outbox.submit("c", new byte[1]);
        PendingPublish second = outbox.submit("c", new byte[1]);
        PendingPublish third = outbox.submit("c", new byte[1]);
        assertThat(failure(third)).isExactlyInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("maxPendingPublishes").hasMessageContaining("not sent");

        PendingPublish taken = outbox.poll();
        outbox.markWritten(taken);
        outbox.succeed(taken, Position.NONE);
        assertThat(outbox.submit("c", new byte[1]).future()).as("room again once one settled").isNotDone();
        assertThat(second.future()).isNotDone();
    }

    @Test
    void theBytesOfWaitingPublishesAreBoundedToo() {
        PublishOutbox outbox = outbox(100, 1 << 16);
        outbox.submit("c", new byte[40_000]);
        PendingPublish tooMuch = outbox.submit("c", new byte[40_000]);
        assertThat(failure(tooMuch)).hasMessageContaining("outboxBytes");
        assertThat(outbox.submit("c", new byte[100]).future()).isNotDone();
    }

    @Test
    void futuresCompleteOnTheCallbackExecutorNotOnTheThreadThatLearnedTheOutcome() {
        PublishOutbox outbox = outbox();
        PendingPublish p = outbox.submit("c", new byte[] {1});
        List<String> threads = new ArrayList<>();
        p.future().thenRun(() -> threads.add(Thread.currentThread().getName()));
        PendingPublish taken = outbox.poll();
        outbox.markWritten(taken);
        outbox.succeed(taken, Position.of("9"));
        assertThat(p.future()).as("not completed on the transport's thread").isNotDone();

        Thread callbackThread = new Thread(this::runCallbacks, "callback-thread");
        callbackThread.start();
        join(callbackThread);

        assertThat(p.future().join()).isEqualTo(Position.of("9"));
        assertThat(threads).containsExactly("callback-thread");
    }

    @Test
    void publishesSentAgainGoBackToTheHeadInTheirOrder() {
        PublishOutbox outbox = outbox();
        List<PendingPublish> published = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            published.add(outbox.submit("c", new byte[] {(byte) i}));
        }
        List<PendingPublish> written = new ArrayList<>();
        outbox.drainTo(written, 2);
        written.forEach(outbox::markWritten);
        outbox.requeue(written);
        List<PendingPublish> order = new ArrayList<>();
        outbox.drainTo(order, 10);
        assertThat(order).containsExactlyElementsOf(published);
        assertThat(order.get(0).outcomeUnknownIfLost()).as("sent once before").isTrue();
    }

    @Test
    void aWriteTheClientRefusedGoesBackToTheHeadAsNeverWritten() {
        PublishOutbox outbox = outbox();
        PendingPublish first = outbox.submit("c", new byte[] {1});
        PendingPublish second = outbox.submit("c", new byte[] {2});
        PendingPublish taken = outbox.poll();
        outbox.markWritten(taken);
        outbox.requeueNotWritten(taken);
        assertThat(outbox.poll()).as("back at the head").isSameAs(first);
        assertThat(first.outcomeUnknownIfLost()).as("never written").isFalse();
        assertThat(outbox.poll()).isSameAs(second);
        now.addAndGet(TIMEOUT.toNanos());
        outbox.sweep();
        runCallbacks();
        assertThat(failure(first)).isExactlyInstanceOf(BrokerUnavailableException.class).hasMessageContaining("not sent");
    }

    @Test
    void closeFailsEveryUnsettledPublishAndRefusesNewOnes() {
        PublishOutbox outbox = outbox();
        PendingPublish written = outbox.submit("c", new byte[] {1});
        PendingPublish queued = outbox.submit("c", new byte[] {2});
        outbox.markWritten(outbox.poll());
        outbox.close();
        runCallbacks();
        assertThat(failure(written)).isInstanceOf(PublishOutcomeUnknownException.class);
        assertThat(failure(queued)).isExactlyInstanceOf(BrokerUnavailableException.class);
        assertThat(failure(outbox.submit("c", new byte[0]))).hasMessageContaining("closed");
    }

    @Test
    void takeWaitsForAPublish() throws InterruptedException {
        PublishOutbox outbox = outbox();
        assertThat(outbox.take(1, TimeUnit.MILLISECONDS)).isNull();
        PendingPublish p = outbox.submit("c", new byte[] {1});
        assertThat(outbox.take(1, TimeUnit.SECONDS)).isSameAs(p);
    }

    private static void join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
