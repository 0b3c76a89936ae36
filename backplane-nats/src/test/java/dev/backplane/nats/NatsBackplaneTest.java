package dev.backplane.nats;

import static dev.backplane.nats.Opened.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Position;
import dev.backplane.Subscription;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** Core NATS behaviour beyond the kit, against a real nats-server. */
class NatsBackplaneTest extends NatsServerTest {

    private String uri() {
        return "nats://" + broker.address();
    }

    @Test
    void capabilitiesAreAtMostOnceOrderedWithTheServersPayloadLimitAndNoReplay() {
        Capabilities capabilities = opened.open(uri()).capabilities();
        assertThat(capabilities.guarantee()).isEqualTo(DeliveryGuarantee.AT_MOST_ONCE);
        assertThat(capabilities.replay()).isFalse();
        assertThat(capabilities.orderedPerPublisher()).isTrue();
        assertThat(capabilities.cheapChannels()).isTrue();
        assertThat(capabilities.maxPayloadBytes()).as("nats-server's default max_payload").isEqualTo(1 << 20);
    }

    @Test
    void aPayloadOfTheServersLimitArrivesWholeAndOneByteMoreIsRefused() {
        Backplane a = opened.open(uri());
        Backplane b = opened.open(uri());
        Recorder recorder = subscribe(b, "big");
        byte[] max = new byte[a.capabilities().maxPayloadBytes()];
        Arrays.fill(max, (byte) 7);
        max[max.length - 1] = 9;
        assertThat(await(a.publish("big", max))).isEqualTo(Position.NONE);
        assertThat(recorder.awaitCount(1).get(0).payload()).isEqualTo(max);
        assertThatThrownBy(() -> a.publish("big", new byte[max.length + 1])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds the maximum");
    }

    @Test
    void aSubscriptionIsActiveWhenItsFutureCompletes() {
        Backplane subscriberNode = opened.open(uri());
        Backplane publisherNode = opened.open(uri());
        for (int i = 0; i < 20; i++) {
            Recorder recorder = subscribe(subscriberNode, "active-" + i);
            await(publisherNode.publish("active-" + i, utf8("m" + i)));
            assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("m" + i);
        }
    }

    @Test
    void channelsWithDotsAndSeparatorsStayApart() {
        Backplane a = opened.open(uri());
        List<String> channels = List.of("a", "a.b", "a:b", "a.b.c", "b.c", "a_b");
        List<Recorder> recorders = new ArrayList<>();
        for (String channel : channels) {
            recorders.add(subscribe(a, channel));
        }
        for (String channel : channels) {
            await(a.publish(channel, utf8("to " + channel)));
        }
        recorders.forEach(r -> r.awaitCount(1));
        recorders.get(0).settle();
        for (int i = 0; i < channels.size(); i++) {
            assertThat(recorders.get(i).texts()).as("deliveries to " + channels.get(i)).containsExactly("to " + channels.get(i));
        }
    }

    @Test
    void replayIsRefusedNamingTheTransport() {
        Backplane a = opened.open(uri());
        assertThatThrownBy(() -> a.subscribe("c", Position.EARLIEST, d -> { }))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("nats");
    }

    @Test
    void thePayloadArrayIsNotRetainedByPublish() {
        Backplane a = opened.open(uri());
        Recorder recorder = subscribe(a, "copy");
        byte[] payload = utf8("original");
        CompletableFuture<Position> sent = a.publish("copy", payload);
        Arrays.fill(payload, (byte) 'x');
        await(sent);
        assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("original");
    }

    @Test
    void aClosedSubscriptionReceivesNothingMore() {
        Backplane a = opened.open(uri());
        Recorder recorder = new Recorder("gone", failures, true);
        Subscription subscription = await(a.subscribe("gone", recorder));
        await(a.publish("gone", utf8("before")));
        recorder.awaitCount(1);
        subscription.close();
        await(a.publish("gone", utf8("after")));
        assertThat(recorder.settle()).isEqualTo(1);
    }

    @Test
    void whileTheBrokerIsDownAPublishFailsWithinPublishTimeout() {
        Backplane a = opened.open(uri(), Map.of("publishTimeout", "500ms"));
        broker.stop();
        awaitDisconnected(a);
        CompletableFuture<Position> publish = a.publish("down", utf8("lost"));
        Opened.awaitDone(publish, Duration.ofMillis(500).plus(KitTimeouts.quiet()).plusSeconds(2));
        assertThat(publish).isCompletedExceptionally();
        assertThatThrownBy(publish::get).isInstanceOf(ExecutionException.class)
                .cause().as("never written, so surely not published").isExactlyInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("not sent");
    }

    @Test
    void aCallbackThatPublishesAndJoinsCompletesAndLaterPublishesStayWithinPublishTimeout() {
        assertCallbacksMayPublishAndJoin(opened.open(uri()));
    }

    @Test
    void aPublishHeldDuringAShortOutageIsSentOnceTheBrokerIsBack() {
        Backplane a = opened.open(uri(), Map.of("publishTimeout", "20s"));
        Recorder recorder = subscribe(a, "held");
        broker.stop();
        awaitDisconnected(a);
        CompletableFuture<Position> publish = a.publish("held", utf8("kept"));
        assertThat(publish).as("a publish while the broker is down waits").isNotDone();
        broker.start();
        assertThat(await(publish)).isEqualTo(Position.NONE);
        assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("kept");
        assertThat(recorder.settle()).isEqualTo(1);
    }

    @Test
    void afterABrokerRestartSubscriptionsReportAGapAndReceiveAgain() {
        Backplane subscriberNode = opened.open(uri());
        Backplane publisherNode = opened.open(uri());
        Recorder recorder = subscribe(subscriberNode, "restart");
        broker.stop();
        broker.start();
        assertThat(recorder.awaitGap().reason()).contains("lost and re-established");
        await(publisherNode.publish("restart", utf8("after")));
        assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("after");
    }

    @Test
    void aSubscribeMadeDuringAnOutageCompletesOnceTheBrokerIsBack() {
        Backplane a = opened.open(uri());
        broker.stop();
        awaitDisconnected(a);
        Recorder recorder = new Recorder("late", failures, true);
        CompletableFuture<Subscription> subscribing = a.subscribe("late", recorder);
        broker.start();
        await(subscribing);
        await(opened.open(uri()).publish("late", utf8("m")));
        assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("m");
    }

    @Test
    void aSubscribeMadeDuringALongOutageFailsWithinConnectTimeout() {
        Backplane a = opened.open(uri(), Map.of("connectTimeout", "500ms"));
        broker.stop();
        CompletableFuture<Subscription> subscribing = a.subscribe("late", d -> { });
        Opened.awaitDone(subscribing, Duration.ofSeconds(3));
        assertThatThrownBy(subscribing::get).cause().isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("connectTimeout");
    }

    @Test
    void closeLeavesNoPublishPending() {
        Backplane a = opened.open(uri());
        List<CompletableFuture<Position>> publishes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            publishes.add(a.publish("closing", utf8("m" + i)));
        }
        a.close();
        for (CompletableFuture<Position> p : publishes) {
            Opened.awaitDone(p, Duration.ofSeconds(1));
        }
        assertThatThrownBy(() -> a.publish("closing", utf8("late"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeStopsEveryThreadTheBackplaneStarted() throws Exception {
        for (String scheme : List.of("nats", "jetstream")) {
            Backplane a = opened.open(scheme + "://" + broker.address());
            Recorder recorder = subscribe(a, "threads");
            await(a.publish("threads", utf8("m")));
            recorder.awaitCount(1);
            a.close();
        }
        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
        List<String> left = liveBackplaneThreads();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = liveBackplaneThreads();
        }
        assertThat(left).as("threads still running after close").isEmpty();
    }

    private static List<String> liveBackplaneThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("backplane-nats") || name.startsWith("backplane-jetstream")).toList();
    }

    /** Waits until the backplane noticed the outage: a publish with no outbox would fail now. */
    private static void awaitDisconnected(Backplane backplane) {
        NatsLink link = ((NatsBackplane) backplane).link();
        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
        while (link.connected()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the backplane did not notice the outage within " + KitTimeouts.delivery());
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void aSlowSubscriberKeepsMaxSubscriberBacklogMessagesAndGetsOneGapCountingTheRest() throws Exception {
        Backplane a = opened.open(uri(), Map.of("maxSubscriberBacklog", "5"));
        HeldSubscriber held = new HeldSubscriber();
        try {
            await(a.subscribe("slow", held));
            await(a.publish("slow", utf8("m0")));
            held.awaitHeld();
            // Published on the subscriber's own connection: each has reached it once its publish completed.
            for (int i = 1; i <= 100; i++) {
                await(a.publish("slow", utf8("m" + i)));
            }
            Thread.sleep(KitTimeouts.quiet().toMillis());
        } finally {
            held.release();
        }
        held.awaitEvent(e -> e instanceof dev.backplane.Gap, "a gap");
        Thread.sleep(KitTimeouts.quiet().toMillis());
        List<Object> events = held.events();
        assertThat(events).as("m0, the 5 kept, then the gap").hasSize(7);
        assertThat(events.subList(0, 6)).containsExactly("m0", "m1", "m2", "m3", "m4", "m5");
        dev.backplane.Gap gap = (dev.backplane.Gap) events.get(6);
        assertThat(gap.reason()).startsWith("95 message(s) dropped").contains("maxSubscriberBacklog");
        // The subscription goes on once it has caught up.
        await(a.publish("slow", utf8("after")));
        held.awaitEvent("after"::equals, "the next message");
    }
}
