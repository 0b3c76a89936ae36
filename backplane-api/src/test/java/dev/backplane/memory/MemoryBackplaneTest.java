package dev.backplane.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.Position;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MemoryBackplaneTest {

    @Test
    void aReplayPositionBeyondTheLastMessageReportsAGapThenReplaysEverythingRetained() throws InterruptedException {
        try (Backplane backplane = Backplanes.open("mem://" + UUID.randomUUID())) {
            backplane.publish("c", new byte[] {1}).join();
            java.util.List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.CountDownLatch delivered = new java.util.concurrent.CountDownLatch(1);
            backplane.subscribe("c", Position.of("5"), new dev.backplane.Subscriber() {
                @Override
                public void onMessage(dev.backplane.Delivery d) {
                    seen.add(d.payload()[0]);
                    delivered.countDown();
                }

                @Override
                public void onGap(dev.backplane.Gap gap) {
                    seen.add(gap);
                }
            }).join();
            assertThat(delivered.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0)).isInstanceOf(dev.backplane.Gap.class);
            assertThat(((dev.backplane.Gap) seen.get(0)).reason()).contains("beyond the last message (1) of channel 'c'");
            assertThat(seen.get(1)).isEqualTo((byte) 1);
        }
    }

    @Test
    void theBusIsDroppedWhenItsLastBackplaneCloses() {
        String name = UUID.randomUUID().toString();
        Backplane first = Backplanes.open("mem://" + name);
        Backplane second = Backplanes.open("mem://" + name);
        first.close();
        assertThat(MemoryBus.exists(name)).as("one backplane still open").isTrue();
        second.close();
        assertThat(MemoryBus.exists(name)).as("no backplane left").isFalse();
    }

    @Test
    void aChannelWithoutSubscriptionsThatRetainsNothingLeavesNoState() {
        String name = UUID.randomUUID().toString();
        try (Backplane backplane = Backplanes.open("mem://" + name + "?retain=0")) {
            for (int i = 0; i < 50; i++) {
                backplane.subscribe("c" + i, d -> { }).join().close();
            }
            assertThat(MemoryBus.named(name).channelCount()).isZero();
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
            java.util.concurrent.CountDownLatch delivered = new java.util.concurrent.CountDownLatch(2);
            backplane.subscribe("c", Position.EARLIEST, d -> {
                seen.add(d.payload()[0]);
                delivered.countDown();
            }).join();
            backplane.publish("c", new byte[] {3}).join(); // a marker: everything before it has arrived with it
            assertThat(delivered.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(seen).as("what the bus kept across the stop").containsExactly((byte) 1, (byte) 3);
            assertThat(first).isEqualTo(Position.of("1"));
        }
    }
}
