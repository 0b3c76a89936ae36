package dev.backplane.benchmark.driver;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Counts failed sends and keeps the last one's message; updated from any thread. */
final class Failures {

    private final AtomicLong count = new AtomicLong();
    private final AtomicReference<String> last = new AtomicReference<>();

    void record(Throwable error) {
        count.incrementAndGet();
        Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
                ? error.getCause() : error;
        last.set(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    long count() {
        return count.get();
    }

    String last() {
        return last.get();
    }
}
