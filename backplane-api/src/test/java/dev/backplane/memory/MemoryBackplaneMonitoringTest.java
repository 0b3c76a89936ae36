package dev.backplane.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BackplaneEvent;
import dev.backplane.BackplaneResources;
import dev.backplane.Backplanes;
import dev.backplane.Health;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Events, health and metrics of the memory backplane, whose bus stands in for a broker. */
class MemoryBackplaneMonitoringTest {

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("within 5 s: " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @Test
    void aBusStopIsALostConnectionAndItsStartARestoredOneInOrderOnTheCallbackExecutor() {
        String bus = UUID.randomUUID().toString();
        List<BackplaneEvent> events = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        try (Backplane backplane = Backplanes.open("mem://" + bus + "?prefix=ops")) {
            backplane.addListener(e -> {
                events.add(e);
                threads.add(Thread.currentThread().getName());
            });
            assertThat(backplane.health().status()).isEqualTo(Health.Status.UP);
            MemoryBus.named(bus).stop();
            assertThat(backplane.health().status()).as("health while the bus is stopped").isEqualTo(Health.Status.DOWN);
            assertThat(backplane.health().details()).containsEntry("connected", false)
                    .containsEntry("lastError", "memory bus '" + bus + "' is stopped");
            MemoryBus.named(bus).stop(); // a second report changes nothing
            MemoryBus.named(bus).start();
            assertThat(backplane.health().status()).isEqualTo(Health.Status.UP);
            await(() -> events.size() == 2, "two events");
            assertThat(events.get(0)).isInstanceOfSatisfying(BackplaneEvent.ConnectionLost.class, e -> {
                assertThat(e.cause()).contains("stopped");
                assertThat(e.source()).isEqualTo(new BackplaneEvent.Source("mem", "ops", "mem://" + bus));
            });
            assertThat(events.get(1)).isInstanceOfSatisfying(BackplaneEvent.ConnectionRestored.class,
                    e -> assertThat(e.downtime()).isPositive());
            assertThat(threads).allMatch(t -> t.startsWith("backplane-callback-"));
            assertThat(backplane.metrics().reconnects()).isEqualTo(1);
        }
    }

    @Test
    void resourcesHearEveryBackplaneThatUsesThem() {
        String bus = UUID.randomUUID().toString();
        List<BackplaneEvent> events = new CopyOnWriteArrayList<>();
        try (BackplaneResources resources = BackplaneResources.builder().threadNamePrefix("ops-test").build();
                Backplane a = Backplanes.open(URI.create("mem://" + bus + "?prefix=a"), Map.of(), resources);
                Backplane b = Backplanes.open(URI.create("mem://" + bus + "?prefix=b"), Map.of(), resources)) {
            resources.addListener(events::add);
            MemoryBus.named(bus).stop();
            await(() -> events.size() == 2, "a lost connection from each backplane");
            assertThat(events).extracting(e -> e.source().prefix()).containsExactlyInAnyOrder("a", "b");
            MemoryBus.named(bus).start();
            await(() -> events.size() == 4, "a restored connection from each backplane");
        }
    }

    @Test
    void deliveriesRedeliveriesAndGapsAreCountedAndHealthSaysWhenTheLastDeliveryWas() {
        String bus = UUID.randomUUID().toString();
        List<BackplaneEvent> events = new CopyOnWriteArrayList<>();
        try (Backplane backplane = Backplanes.open("mem://" + bus + "?ackTimeout=100ms&retain=5")) {
            backplane.addListener(events::add);
            List<Boolean> redelivered = new CopyOnWriteArrayList<>();
            backplane.subscribe("c", d -> {
                redelivered.add(d.redelivered());
                if (d.redelivered()) {
                    d.ack();
                }
            }).join();
            backplane.publish("c", new byte[] {1}).join();
            await(() -> redelivered.size() == 2, "a delivery and its redelivery");
            for (int i = 0; i < 10; i++) {
                backplane.publish("d", new byte[] {(byte) i}).join();
            }
            backplane.subscribe("d", dev.backplane.Position.EARLIEST, d -> d.ack()).join(); // 5 of 10 retained: a gap
            await(() -> backplane.metrics().deliveries() == 7, "7 deliveries");
            assertThat(backplane.metrics().publishes()).as("publishes (mem completes them itself, no outbox)").isZero();
            assertThat(backplane.metrics().redeliveries()).isEqualTo(1);
            assertThat(backplane.metrics().gaps()).isEqualTo(1);
            assertThat(backplane.metrics().unacknowledged()).isZero();
            await(() -> events.stream().anyMatch(BackplaneEvent.GapReported.class::isInstance), "a gap event");
            assertThat(events).filteredOn(BackplaneEvent.Redelivered.class::isInstance).hasSize(1);
            assertThat(backplane.health().details()).containsKey("lastDeliveryAgeMillis");
        }
    }

    @Test
    void aSubscriptionAtItsUnacknowledgedBoundDegradesHealthAndRaisesBacklogFullOncePerStretch() {
        String bus = UUID.randomUUID().toString();
        List<BackplaneEvent> events = new CopyOnWriteArrayList<>();
        try (Backplane backplane = Backplanes.open("mem://" + bus + "?maxUnacknowledged=4")) {
            backplane.addListener(events::add);
            List<dev.backplane.Delivery> held = new CopyOnWriteArrayList<>();
            backplane.subscribe("c", held::add).join();
            for (int i = 0; i < 10; i++) {
                backplane.publish("c", new byte[] {(byte) i}).join();
            }
            await(() -> held.size() == 4, "4 deliveries held");
            assertThat(backplane.health().status()).isEqualTo(Health.Status.DEGRADED);
            assertThat(backplane.metrics().unacknowledged()).isEqualTo(4);
            await(() -> events.stream().anyMatch(BackplaneEvent.SubscriberBacklogFull.class::isInstance),
                    "a backlog-full event");
            await(() -> {
                held.forEach(dev.backplane.Delivery::ack);
                return held.size() == 10;
            }, "the rest, once acknowledged");
            held.forEach(dev.backplane.Delivery::ack);
            assertThat(backplane.health().status()).isEqualTo(Health.Status.UP);
            assertThat(events).as("once per stretch at the bound (3 stretches for 10 messages, bound 4, resume at 2), "
                    + "not once per message").filteredOn(BackplaneEvent.SubscriberBacklogFull.class::isInstance)
                    .hasSizeBetween(1, 3);
        }
    }

    @Test
    void aClosedBackplaneIsDown() {
        Backplane backplane = Backplanes.open("mem://" + UUID.randomUUID());
        backplane.close();
        assertThat(backplane.health().status()).isEqualTo(Health.Status.DOWN);
        assertThat(backplane.health().details()).containsEntry("state", "closed");
    }
}
