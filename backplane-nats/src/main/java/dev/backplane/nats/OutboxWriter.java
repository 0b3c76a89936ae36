package dev.backplane.nats;

import dev.backplane.spi.PendingPublish;
import dev.backplane.spi.PublishOutbox;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Moves queued publishes from the {@link PublishOutbox} to the jnats client, one writer at a time,
 * in call order. Whoever asks for a drain (a publishing thread, the reconnect event) writes what is
 * queued unless another thread is writing already, in which case that thread writes it too before
 * it stops: no publish waits for a thread of its own, and no two writers interleave.
 *
 * <p>Writing stops while {@code mayWrite} says no (the connection is down, or earlier publishes
 * must go out again first) and when the client refuses a write; the next {@link #drain()} goes on
 * from there. After a refusal one drain is tried again shortly (the client's write queue may have
 * been full), on an I/O thread: the scheduler only times it.
 */
final class OutboxWriter {

    /** What became of one write. */
    enum Result {
        /** The client took the bytes. */
        WRITTEN,
        /** The client did not take them (disconnected, or its queue stayed full): nothing went out. */
        REFUSED,
        /** The publish was settled by the write itself (an illegal argument, a closed connection). */
        SETTLED
    }

    /** Writes one publish to the client. */
    interface Write {
        Result write(PendingPublish publish);
    }

    private static final long RETRY_MILLIS = 20;

    private final PublishOutbox outbox;
    private final BooleanSupplier mayWrite;
    private final Write write;
    private final ScheduledExecutorService scheduler;
    private final Executor io;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    private volatile Runnable beforeWrites = () -> { };

    /**
     * @param mayWrite whether writing makes sense now
     * @param scheduler times the retry after a refusal
     * @param io runs that retry
     */
    OutboxWriter(PublishOutbox outbox, BooleanSupplier mayWrite, Write write, ScheduledExecutorService scheduler,
            Executor io) {
        this.outbox = outbox;
        this.mayWrite = mayWrite;
        this.write = write;
        this.scheduler = scheduler;
        this.io = io;
    }

    /**
     * Runs {@code step} on the writing thread before each round of writes, alone (no write
     * overlaps it): for putting publishes back into the outbox in order.
     */
    void beforeWrites(Runnable step) {
        this.beforeWrites = step;
    }

    /** Writes what is queued, here or on the thread that is writing already. */
    void drain() {
        if (requests.getAndIncrement() != 0) {
            return; // the writing thread sees this request before it stops
        }
        int seen = 1;
        do {
            writeQueued();
            seen = requests.addAndGet(-seen);
        } while (seen != 0);
    }

    private void writeQueued() {
        beforeWrites.run();
        while (mayWrite.getAsBoolean()) {
            PendingPublish next = outbox.poll();
            if (next == null) {
                return;
            }
            if (!outbox.markWritten(next)) {
                continue; // expired meanwhile: it failed as not sent
            }
            if (write.write(next) == Result.REFUSED) {
                outbox.requeueNotWritten(next);
                retrySoon();
                return;
            }
        }
    }

    private void retrySoon() {
        if (retryScheduled.compareAndSet(false, true) && !LaterOnIo.run(scheduler, io, RETRY_MILLIS,
                TimeUnit.MILLISECONDS, () -> {
                    retryScheduled.set(false);
                    drain();
                })) {
            retryScheduled.set(false);
        }
    }
}
