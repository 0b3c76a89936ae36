package dev.backplane.benchmark.driver;

/** A publisher that counts its failed sends in {@link #failures}. */
abstract class CountingPublisher implements Driver.Publisher {

    protected final Failures failures = new Failures();

    /** Makes an asynchronous send and counts it as failed if it throws or its stage fails. */
    protected final void sendAsync(java.util.function.Supplier<? extends java.util.concurrent.CompletionStage<?>> send) {
        try {
            send.get().whenComplete((result, error) -> {
                if (error != null) {
                    failures.record(error);
                }
            });
        } catch (RuntimeException e) {
            failures.record(e);
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
}
