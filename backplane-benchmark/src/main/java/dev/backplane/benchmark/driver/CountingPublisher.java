package dev.backplane.benchmark.driver;

import java.util.concurrent.atomic.AtomicLong;

/** A publisher that counts its failed sends in {@link #failures} and its unconfirmed ones in {@link #unsettled()}. */
abstract class CountingPublisher implements Driver.Publisher {

    protected final Failures failures = new Failures();
    private final AtomicLong unsettled = new AtomicLong();

    /** Makes an asynchronous send and counts it as failed if it throws or its stage fails. */
    protected final void sendAsync(java.util.function.Supplier<? extends java.util.concurrent.CompletionStage<?>> send) {
        sending();
        try {
            send.get().whenComplete((result, error) -> settled(error));
        } catch (RuntimeException e) {
            settled(e);
        }
    }

    /** A send is about to be made; {@link #settled} follows once it is confirmed or has failed. */
    protected final void sending() {
        unsettled.incrementAndGet();
    }

    /** A send made after {@link #sending} was confirmed ({@code error} null) or failed. */
    protected final void settled(Throwable error) {
        unsettled.decrementAndGet();
        if (error != null) {
            failures.record(error);
        }
    }

    @Override
    public long failures() {
        return failures.count();
    }

    @Override
    public String lastFailure() {
        return failures.last();
    }

    @Override
    public long unsettled() {
        return unsettled.get();
    }
}
