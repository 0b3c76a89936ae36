package dev.backplane.hub;

import static dev.backplane.hub.Waiting.eventually;
import static dev.backplane.hub.Waiting.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BackplaneEvent;
import dev.backplane.Backplanes;
import dev.backplane.Health;
import dev.backplane.memory.MemoryBus;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A node's health, events and metrics on {@code mem://}, whose bus stands in for the broker. */
class HubOperationsTest {

    private final String bus = "hub-ops-" + UUID.randomUUID();
    private final HubOptions options = HubOptions.of("chat").withHeartbeat(Duration.ofMillis(100), 3);

    @Test
    void aNodeIsDownWhileItsBrokerIsAndHearsItsBackplaneLoseAndRestoreTheConnection() throws Exception {
        try (Backplane backplane = Backplanes.open("mem://" + bus); HubNode node = HubNode.start(backplane, options)) {
            List<HubEvent> events = new CopyOnWriteArrayList<>();
            node.addListener(events::add);
            eventually(() -> node.health().status() == Health.Status.UP, "UP while the bus runs");
            Health up = node.health();
            assertThat(up.details()).containsEntry("hub", "chat").containsEntry("liveNodes", 1)
                    .containsEntry("hearsItself", true);
            assertThat(up.components()).containsKey("backplane");
            MemoryBus.named(bus).stop();
            assertThat(node.health().status()).as("node health while the bus is stopped").isEqualTo(Health.Status.DOWN);
            MemoryBus.named(bus).start();
            eventually(() -> node.health().status() == Health.Status.UP, "UP once the bus runs again");
            eventually(() -> events.size() >= 2, "two events");
            assertThat(events).first().isInstanceOfSatisfying(HubEvent.Backplane.class,
                    e -> assertThat(e.event()).isInstanceOf(BackplaneEvent.ConnectionLost.class));
            assertThat(events.get(1)).isInstanceOfSatisfying(HubEvent.Backplane.class,
                    e -> assertThat(e.event()).isInstanceOf(BackplaneEvent.ConnectionRestored.class));
        }
    }

    @Test
    void aSlowClientDisconnectIsCountedAndRaisedAndSendsAreCountedByTargetKind() throws Exception {
        try (Backplane backplane = Backplanes.open("mem://" + bus);
                HubNode node = HubNode.start(backplane, options.withConnectionBuffer(2).withSlowClientGrace(Duration.ZERO))) {
            List<HubEvent> events = new CopyOnWriteArrayList<>();
            node.addListener(events::add);
            CountDownLatch release = new CountDownLatch(1);
            HubConnection stuck = join(node.connect("ann", message -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            for (int i = 0; i < 6; i++) {
                join(node.send(Target.all(), "m", i));
            }
            join(node.send(Target.user("ann"), "m", "x"));
            eventually(() -> node.metrics().slowClientDisconnects() == 1, "the stuck client disconnected");
            release.countDown();
            eventually(() -> events.stream().anyMatch(HubEvent.SlowClientDisconnected.class::isInstance), "the event");
            HubEvent.SlowClientDisconnected e = (HubEvent.SlowClientDisconnected) events.stream()
                    .filter(HubEvent.SlowClientDisconnected.class::isInstance).findFirst().orElseThrow();
            assertThat(e.connectionId()).isEqualTo(stuck.id());
            assertThat(node.metrics().sends(Target.Kind.ALL)).isEqualTo(6);
            assertThat(node.metrics().sends(Target.Kind.USERS)).isEqualTo(1);
            assertThat(node.metrics().localConnections()).isZero();
        }
    }

    @Test
    void invocationLatencyIsRecordedForEachInvocation() throws Exception {
        try (Backplane backplane = Backplanes.open("mem://" + bus); HubNode node = HubNode.start(backplane, options)) {
            List<Long> latencies = new CopyOnWriteArrayList<>();
            node.metrics().onInvocationLatency(latencies::add);
            HubConnection c = join(node.connect(null, new ConnectionSink() {
                @Override
                public void send(HubMessage message) {
                }

                @Override
                public void invoke(HubInvocation invocation) {
                    invocation.complete("yes");
                }
            }));
            assertThat(join(node.invoke(c.id(), String.class, Duration.ofSeconds(5), "ask"))).isEqualTo("yes");
            eventually(() -> latencies.size() == 1, "one latency recorded");
            assertThat(latencies.get(0)).isPositive();
        }
    }

    @Test
    void aClosedNodeIsDown() {
        Backplane backplane = Backplanes.open("mem://" + bus);
        HubNode node = HubNode.start(backplane, options);
        node.close();
        assertThat(node.health().status()).isEqualTo(Health.Status.DOWN);
        backplane.close();
    }
}
