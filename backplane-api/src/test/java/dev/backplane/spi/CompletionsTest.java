package dev.backplane.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CompletionsTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "callbacks"));
    private final Completions completions = new Completions(pool);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aCallbackRunsOnTheCallbackExecutorNeverOnTheCompletingThread() throws Exception {
        CompletableFuture<String> future = new CompletableFuture<>();
        CompletableFuture<String> thread = future.thenApply(v -> Thread.currentThread().getName());
        completions.succeed(future, "x");
        assertThat(thread.get(5, TimeUnit.SECONDS)).isEqualTo("callbacks");
    }

    @Test
    void aCallbackThatBlocksDelaysNoOtherFuture() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> blocked = new CompletableFuture<>();
        CompletableFuture<String> other = new CompletableFuture<>();
        CompletableFuture<Void> blocking = blocked.thenRun(() -> await(release));
        CompletableFuture<String> followed = other.thenApply(v -> v + "!");

        completions.succeed(blocked, "a");
        completions.succeed(other, "b");

        assertThat(followed.get(5, TimeUnit.SECONDS)).isEqualTo("b!");
        assertThat(blocking).isNotDone();
        release.countDown();
        blocking.get(5, TimeUnit.SECONDS);
    }

    @Test
    void failuresArriveAsGiven() {
        CompletableFuture<String> future = new CompletableFuture<>();
        IllegalStateException error = new IllegalStateException("no");
        completions.fail(future, error);
        assertThat(future).failsWithin(java.time.Duration.ofSeconds(5)).withThrowableThat().havingCause().isSameAs(error);
    }

    @Test
    void anExecutorThatRefusesStillGetsEveryFutureCompleted() {
        pool.shutdownNow();
        CompletableFuture<String> future = new CompletableFuture<>();
        completions.succeed(future, "x");
        assertThat(future).isCompletedWithValue("x");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
