package dev.backplane.benchmark.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CountingPublisherTest {

    /** Sends whose futures the test completes; a send to channel "throws" throws at the call. */
    private static final class Held extends CountingPublisher {
        final List<CompletableFuture<Void>> futures = new ArrayList<>();

        @Override
        public void send(String channel, byte[] payload) {
            sendAsync(() -> {
                if (channel.equals("throws")) {
                    throw new IllegalStateException("refused at the call");
                }
                CompletableFuture<Void> f = new CompletableFuture<>();
                futures.add(f);
                return f;
            });
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aSendCountsAsUnsettledUntilItsFutureCompletesEitherWay() {
        Held publisher = new Held();
        for (int i = 0; i < 3; i++) {
            publisher.send("c", new byte[1]);
        }
        assertThat(publisher.unsettled()).isEqualTo(3);
        publisher.futures.get(0).complete(null);
        publisher.futures.get(1).completeExceptionally(new IllegalStateException("broker said no"));
        assertThat(publisher.unsettled()).isEqualTo(1);
        assertThat(publisher.failures()).isEqualTo(1);
    }

    @Test
    void aSendRefusedAtTheCallIsSettledAtOnceAndCountedAsFailed() {
        Held publisher = new Held();
        publisher.send("throws", new byte[1]);
        assertThat(publisher.unsettled()).isZero();
        assertThat(publisher.failures()).isEqualTo(1);
        assertThat(publisher.lastFailure()).contains("refused at the call");
    }
}
