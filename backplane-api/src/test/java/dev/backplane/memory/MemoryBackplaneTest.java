package dev.backplane.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.Position;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class MemoryBackplaneTest {

    @Test
    void aReplayPositionBeyondTheLastMessageIsRefusedNamingTheChannel() {
        try (Backplane backplane = Backplanes.open("mem://" + UUID.randomUUID())) {
            backplane.publish("c", new byte[] {1}).join();
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                    () -> backplane.subscribe("c", Position.of("5"), d -> { }).join());
            assertThat(thrown).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(thrown.getCause()).hasMessageContaining("beyond the last message (1) of channel 'c'");
        }
    }

    @Test
    void aStoppedBusRefusesPublishesAndKeepsWhatItHas() throws InterruptedException {
        String name = UUID.randomUUID().toString();
        try (Backplane backplane = Backplanes.open("mem://" + name)) {
            Position first = backplane.publish("c", new byte[] {1}).join();
            MemoryBus.named(name).stop();
            assertThat(backplane.publish("c", new byte[] {2})).isCompletedExceptionally();
            MemoryBus.named(name).start();
            java.util.List<Byte> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.CountDownLatch delivered = new java.util.concurrent.CountDownLatch(1);
            backplane.subscribe("c", Position.EARLIEST, d -> {
                seen.add(d.payload()[0]);
                delivered.countDown();
            }).join();
            assertThat(delivered.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Thread.sleep(100);
            assertThat(seen).as("what the bus kept across the stop").containsExactly((byte) 1);
            assertThat(first).isEqualTo(Position.of("1"));
        }
    }
}
