package dev.backplane.nats;

import static dev.backplane.nats.Opened.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** JetStream behaviour beyond the kit, against a real nats-server with its own store directory. */
class JetStreamBackplaneTest extends NatsServerTest {

    private String uri() {
        return "jetstream://" + broker.address();
    }

    private Recorder replay(Backplane backplane, String channel, Position from) {
        Recorder recorder = new Recorder(channel, failures, true);
        await(backplane.subscribe(channel, from, recorder));
        return recorder;
    }

    /** Records messages (as text) and gaps in the order they come, and passes them on to {@code recorder}. */
    private static dev.backplane.Subscriber inOrder(List<Object> events, Recorder recorder) {
        return new dev.backplane.Subscriber() {
            @Override
            public void onMessage(dev.backplane.Delivery delivery) {
                synchronized (events) {
                    events.add(new String(delivery.payload(), StandardCharsets.UTF_8));
                }
                recorder.onMessage(delivery);
            }

            @Override
            public void onGap(Gap gap) {
                synchronized (events) {
                    events.add(gap);
                }
                recorder.onGap(gap);
            }
        };
    }

    private static StreamConfiguration streamOf(String name) throws Exception {
        try (Connection nats = Nats.connect("nats://" + broker.address())) {
            return nats.jetStreamManagement().getStreamInfo(name).getConfiguration();
        }
    }

    @Test
    void capabilitiesAreAtLeastOnceWithReplayAndTheServersLimitLessTheMessageIdHeader() {
        Capabilities capabilities = opened.open(uri()).capabilities();
        assertThat(capabilities.guarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(capabilities.replay()).isTrue();
        assertThat(capabilities.orderedPerPublisher()).isTrue();
        assertThat(capabilities.cheapChannels()).isFalse();
        assertThat(capabilities.maxPayloadBytes()).isLessThan(1 << 20).isGreaterThan((1 << 20) - 100);
    }

    @Test
    void aPayloadOfTheLimitIsStoredAndDeliveredWhole() {
        Backplane a = opened.open(uri());
        Recorder recorder = subscribe(a, "big");
        byte[] max = new byte[a.capabilities().maxPayloadBytes()];
        max[0] = 1;
        max[max.length - 1] = 2;
        await(a.publish("big", max));
        assertThat(recorder.awaitCount(1).get(0).payload()).isEqualTo(max);
    }

    @Test
    void theStreamIsCreatedWithTheDefaultRetention() throws Exception {
        opened.open(uri());
        StreamConfiguration stream = streamOf(opened.prefix());
        assertThat(stream.getSubjects()).containsExactly(opened.prefix() + ".>");
        assertThat(stream.getStorageType()).isEqualTo(StorageType.File);
        assertThat(stream.getMaxAge()).isEqualTo(Duration.ofHours(24));
        assertThat(stream.getMaxMsgs()).isEqualTo(-1);
        assertThat(stream.getMaxMsgsPerSubject()).isEqualTo(-1);
        assertThat(stream.getDuplicateWindow()).isEqualTo(Duration.ofMinutes(2));
        assertThat(stream.getReplicas()).isEqualTo(1);
    }

    @Test
    void theStreamIsCreatedWithTheRetentionOptions() throws Exception {
        opened.open(uri(), Map.of("stream", opened.prefix() + "_s", "maxAge", "90s", "maxMessages", "1000",
                "maxBytes", "1048576", "maxMsgsPerSubject", "10", "storage", "memory", "replicas", "1"));
        StreamConfiguration stream = streamOf(opened.prefix() + "_s");
        assertThat(stream.getSubjects()).containsExactly(opened.prefix() + ".>");
        assertThat(stream.getStorageType()).isEqualTo(StorageType.Memory);
        assertThat(stream.getMaxAge()).isEqualTo(Duration.ofSeconds(90));
        assertThat(stream.getMaxMsgs()).isEqualTo(1000);
        assertThat(stream.getMaxBytes()).isEqualTo(1048576);
        assertThat(stream.getMaxMsgsPerSubject()).isEqualTo(10);
        assertThat(stream.getDuplicateWindow()).as("no longer than maxAge").isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void anExistingStreamIsUsedAsItIs() throws Exception {
        try (Connection nats = Nats.connect("nats://" + broker.address())) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name(opened.prefix()).subjects(opened.prefix() + ".>")
                    .storageType(StorageType.Memory).maxMessages(5).build());
        }
        Backplane a = opened.open(uri(), Map.of("maxMessages", "100", "createStream", "false"));
        await(a.publish("c", utf8("m")));
        assertThat(streamOf(opened.prefix()).getMaxMsgs()).isEqualTo(5);
    }

    @Test
    void aPublishCompletesWithItsStreamSequenceWhichItsDeliveryCarries() {
        Backplane a = opened.open(uri());
        Recorder recorder = subscribe(a, "seq");
        List<Position> positions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            positions.add(await(a.publish("seq", utf8("m" + i))));
        }
        assertThat(positions).extracting(p -> Long.parseLong(p.value())).isSorted().doesNotHaveDuplicates();
        assertThat(recorder.awaitCount(3)).extracting(Recorder.Received::position).containsExactlyElementsOf(positions);
    }

    @Test
    void aReplayAfterAPositionDeliversWhatFollowsThenLiveWithNoSeam() {
        Backplane a = opened.open(uri());
        List<Position> positions = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            positions.add(await(a.publish("replay", utf8("m" + i))));
        }
        await(a.publish("other", utf8("elsewhere")));
        Recorder recorder = replay(opened.open(uri()), "replay", positions.get(1));
        await(a.publish("replay", utf8("m6")));
        recorder.awaitCount(4);
        assertThat(recorder.settle()).isEqualTo(4);
        assertThat(recorder.texts()).containsExactly("m3", "m4", "m5", "m6");
        assertThat(recorder.gaps()).isEmpty();
    }

    @Test
    void aReplayFromTheEarliestOfAnUntrimmedStreamHasNoGap() {
        Backplane a = opened.open(uri());
        await(a.publish("all", utf8("m1")));
        await(a.publish("all", utf8("m2")));
        Recorder recorder = replay(a, "all", Position.EARLIEST);
        assertThat(recorder.awaitCount(2)).extracting(Recorder.Received::text).containsExactly("m1", "m2");
        assertThat(recorder.gaps()).isEmpty();
    }

    @Test
    void aReplayFromBeforeWhatTheStreamRetainsReportsAGapFirst() {
        Backplane a = opened.open(uri(), Map.of("maxMessages", "3"));
        for (int i = 1; i <= 6; i++) {
            await(a.publish("trim", utf8("m" + i)));
        }
        List<Object> events = new ArrayList<>();
        Recorder recorder = new Recorder("trim", failures, true);
        await(a.subscribe("trim", Position.EARLIEST, inOrder(events, recorder)));
        recorder.awaitCount(3);
        synchronized (events) {
            assertThat(events).hasSize(4);
            assertThat(events.get(0)).isInstanceOf(Gap.class);
            assertThat(((Gap) events.get(0)).after()).isEqualTo(Position.EARLIEST);
            assertThat(events.subList(1, 4)).containsExactly("m4", "m5", "m6");
        }
    }

    @Test
    void aReplayOfAChannelAtItsPerSubjectLimitReportsAGapAndAnotherChannelDoesNot() {
        Backplane a = opened.open(uri(), Map.of("maxMsgsPerSubject", "2"));
        await(a.publish("quiet", utf8("q1")));
        for (int i = 1; i <= 3; i++) {
            await(a.publish("busy", utf8("b" + i)));
        }
        Recorder busy = replay(a, "busy", Position.EARLIEST);
        Recorder quiet = replay(a, "quiet", Position.EARLIEST);
        assertThat(busy.awaitCount(2)).extracting(Recorder.Received::text).containsExactly("b2", "b3");
        assertThat(busy.awaitGap().reason()).contains("maxMsgsPerSubject");
        assertThat(quiet.awaitCount(1)).extracting(Recorder.Received::text).containsExactly("q1");
        assertThat(quiet.gaps()).isEmpty();
    }

    @Test
    void aReplayFromBeyondTheStreamsEndReportsAGapThenReplaysEverythingRetained() {
        Backplane a = opened.open(uri());
        Position first = await(a.publish("end", utf8("m1")));
        await(a.publish("end", utf8("m2")));
        Position beyond = Position.of(Long.toString(Long.parseLong(first.value()) + 1000));
        List<Object> events = new ArrayList<>();
        Recorder recorder = new Recorder("end", failures, true);
        await(a.subscribe("end", beyond, inOrder(events, recorder)));
        await(a.publish("end", utf8("m3")));
        recorder.awaitCount(3);
        assertThat(recorder.settle()).isEqualTo(3);
        synchronized (events) {
            assertThat(events).hasSize(4);
            assertThat(events.get(0)).isInstanceOf(Gap.class);
            Gap gap = (Gap) events.get(0);
            assertThat(gap.after()).isEqualTo(beyond);
            assertThat(gap.resumedAt()).isEqualTo(first);
            assertThat(gap.reason()).contains("beyond the end");
            assertThat(events.subList(1, 4)).containsExactly("m1", "m2", "m3");
        }
    }

    @Test
    void aCallbackThatPublishesAndJoinsCompletesAndLaterPublishesStayWithinPublishTimeout() {
        assertCallbacksMayPublishAndJoin(opened.open(uri()));
    }

    @Test
    void aPositionFromElsewhereIsRefused() {
        Backplane a = opened.open(uri());
        assertThatThrownBy(() -> a.subscribe("c", Position.of("0-1"), d -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jetstream");
    }

    @Test
    void anUnacknowledgedDeliveryComesAgainFlaggedRedelivered() {
        Backplane a = opened.open(uri());
        Recorder recorder = new Recorder("ack", failures, false);
        await(a.subscribe("ack", recorder));
        await(a.publish("ack", utf8("m")));
        List<Recorder.Received> received = recorder.awaitCount(2);
        assertThat(received.get(0).redelivered()).isFalse();
        assertThat(received.get(1).redelivered()).isTrue();
        assertThat(received.get(1).position()).isEqualTo(received.get(0).position());
    }

    @Test
    void nothingStoredIsLostForASubscriberAcrossABrokerRestart() {
        Backplane subscriberNode = opened.open(uri());
        Backplane publisherNode = opened.open(uri(), Map.of("publishTimeout", "20s"));
        Recorder recorder = subscribe(subscriberNode, "restart");
        for (int round = 0; round < 3; round++) {
            await(publisherNode.publish("restart", utf8("before-" + round)));
            broker.stop();
            broker.start();
            // Published as soon as the publisher is back, maybe before the subscriber's node is.
            await(publisherNode.publish("restart", utf8("after-" + round)));
        }
        recorder.awaitText(t -> t.equals("after-2"), "the last message");
        assertThat(recorder.texts()).containsSubsequence("before-0", "after-0", "before-1", "after-1", "before-2", "after-2");
        assertThat(recorder.texts()).doesNotHaveDuplicates();
    }

    @Test
    void aLiveSubscriptionThatGotNothingYetResumesAfterARestartWithoutOlderMessages() {
        Backplane a = opened.open(uri(), Map.of("publishTimeout", "20s"));
        await(a.publish("fresh", utf8("before the subscription")));
        Recorder recorder = subscribe(opened.open(uri()), "fresh");
        broker.stop();
        broker.start();
        await(a.publish("fresh", utf8("after the restart")));
        recorder.awaitCount(1);
        assertThat(recorder.settle()).isEqualTo(1);
        assertThat(recorder.texts()).containsExactly("after the restart");
        assertThat(recorder.gaps()).isEmpty();
    }

    @Test
    void aPublishMadeWhileTheBrokerIsDownIsStoredOnceItIsBack() {
        Backplane a = opened.open(uri(), Map.of("publishTimeout", "20s"));
        Recorder recorder = subscribe(opened.open(uri()), "held");
        broker.stop();
        CompletableFuture<Position> publish = a.publish("held", utf8("kept"));
        broker.start();
        Position stored = await(publish);
        assertThat(recorder.awaitCount(1).get(0).position()).isEqualTo(stored);
        assertThat(recorder.settle()).isEqualTo(1);
    }

    @Test
    void whileTheBrokerIsDownAPublishFailsWithinPublishTimeout() {
        Backplane a = opened.open(uri(), Map.of("publishTimeout", "500ms"));
        broker.stop();
        CompletableFuture<Position> publish = a.publish("down", utf8("lost"));
        Opened.awaitDone(publish, Duration.ofMillis(500).plus(KitTimeouts.quiet()).plusSeconds(2));
        assertThatThrownBy(publish::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BrokerUnavailableException.class);
    }

    @Test
    void aSubscribeMadeDuringAnOutageCompletesOnceTheBrokerIsBack() {
        Backplane a = opened.open(uri());
        broker.stop();
        Recorder recorder = new Recorder("late", failures, true);
        CompletableFuture<dev.backplane.Subscription> subscribing = a.subscribe("late", recorder);
        broker.start();
        await(subscribing);
        Position stored = await(opened.open(uri()).publish("late", utf8("m")));
        assertThat(recorder.awaitCount(1).get(0).position()).isEqualTo(stored);
    }

    @Test
    void aSubscribeMadeDuringALongOutageFailsWithinConnectTimeout() {
        Backplane a = opened.open(uri(), Map.of("connectTimeout", "500ms"));
        broker.stop();
        CompletableFuture<dev.backplane.Subscription> subscribing = a.subscribe("late", d -> { });
        Opened.awaitDone(subscribing, Duration.ofSeconds(3));
        assertThatThrownBy(subscribing::get).cause().isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("connectTimeout");
    }

    @Test
    void aPublishAfterTheStreamWasDeletedFailsNamingTheStream() throws Exception {
        Backplane a = opened.open(uri(), Map.of("publishTimeout", "1s"));
        try (Connection nats = Nats.connect("nats://" + broker.address())) {
            nats.jetStreamManagement().deleteStream(opened.prefix());
        }
        CompletableFuture<Position> publish = a.publish("c", utf8("nowhere"));
        Opened.awaitDone(publish, Duration.ofSeconds(1).plusSeconds(3));
        assertThatThrownBy(publish::get).cause().isInstanceOf(dev.backplane.BackplaneException.class)
                .hasMessageContaining("stream '" + opened.prefix() + "'");
    }

    @Test
    void publishesKeepTheirOrderWhileTheStreamIsGoneAndWhenItIsBack() throws Exception {
        Backplane a = opened.open(uri(), Map.of("publishTimeout", "20s"));
        JetStreamPublisher publisher = ((JetStreamBackplane) a).publisher();
        StreamConfiguration stream = streamOf(opened.prefix());
        int afterDeletion = 1000;
        List<CompletableFuture<Position>> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean deleted = new java.util.concurrent.atomic.AtomicBoolean();
        // Publishes go on, 100 in flight, until 1,000 after the deletion: some are in flight when it happens.
        Thread sender = new Thread(() -> {
            int last = Integer.MAX_VALUE;
            for (int i = 0; i < last; i++) {
                if (last == Integer.MAX_VALUE && deleted.get()) {
                    last = i + afterDeletion;
                }
                if (i >= 100) {
                    sent.get(i - 100).exceptionally(e -> null).join();
                }
                CompletableFuture<Position> p = a.publish("ordered", utf8(Integer.toString(i)));
                p.whenComplete((ok, error) -> completed.incrementAndGet());
                sent.add(p);
            }
        }, "test-sender");
        sender.start();
        awaitCondition(() -> completed.get() >= 300, "300 publishes stored");
        try (Connection nats = Nats.connect("nats://" + broker.address())) {
            nats.jetStreamManagement().deleteStream(opened.prefix());
            deleted.set(true);
            // Back only once every publish written meanwhile was answered "no responders" and taken back,
            // or, written in the instant of the deletion and never answered, settled by its deadline.
            awaitCondition(() -> publisher.noRespondersAnswers() > 0 && publisher.unanswered() == 0,
                    "the publishes no stream took, taken back", Duration.ofSeconds(20).plus(KitTimeouts.delivery()));
            nats.jetStreamManagement().addStream(stream);
        }
        sender.join(Duration.ofSeconds(60).toMillis());
        assertThat(sender.isAlive()).as("the sender finished").isFalse();
        List<Long> sequences = new ArrayList<>();
        int unknown = 0;
        for (CompletableFuture<Position> p : sent) {
            try {
                sequences.add(Long.parseLong(p.get(30, java.util.concurrent.TimeUnit.SECONDS).value()));
            } catch (java.util.concurrent.ExecutionException e) {
                // Written as the stream went away and never answered: it may or may not be stored, and says so.
                assertThat(e.getCause()).as("a publish that failed").isInstanceOf(
                        dev.backplane.PublishOutcomeUnknownException.class);
                unknown++;
            }
        }
        assertThat(unknown).as("publishes whose answer was lost with the stream (at most those in flight)")
                .isLessThanOrEqualTo(100);
        // One drop where the stream began again; increasing, in call order, before and after it.
        int reset = 1;
        while (reset < sequences.size() && sequences.get(reset) > sequences.get(reset - 1)) {
            reset++;
        }
        for (int i = reset + 1; i < sequences.size(); i++) {
            assertThat(sequences.get(i)).as("stream sequence of publish %d, after publish %d's", i, i - 1)
                    .isGreaterThan(sequences.get(i - 1));
        }
        assertThat(reset).as("some publishes were stored before the stream was deleted").isGreaterThanOrEqualTo(300);
        assertThat(reset).as("some publishes were stored after the stream was back").isLessThan(sequences.size());
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
        awaitCondition(condition, what, KitTimeouts.delivery());
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition, String what, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + within);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000); // the no-responders pause lasts 200 ms
        }
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
    }

    /**
     * Holds a subscriber of {@code channel} in its first delivery (m0) while {@code m1..m20} are
     * published, publishing {@code other} before each when given, then releases it; returns its events.
     */
    private HeldSubscriber holdBackThenRelease(Backplane a, String channel, String other) {
        HeldSubscriber held = new HeldSubscriber();
        try {
            await(a.subscribe(channel, held));
            await(a.publish(channel, utf8("m0")));
            held.awaitHeld();
            for (int i = 1; i <= 20; i++) {
                if (other != null) {
                    await(a.publish(other, utf8("o" + i)));
                }
                await(a.publish(channel, utf8("m" + i)));
            }
        } finally {
            held.release();
        }
        held.awaitEvent("m20"::equals, "m20");
        return held;
    }

    /** Asserts: m0 and a run of the next ones, one gap between the positions around it, then {@code tail}. */
    private static void assertOneGapThenTail(HeldSubscriber held, List<String> tail, String limit) {
        List<Object> events = held.events();
        List<Object> gaps = events.stream().filter(e -> e instanceof Gap).toList();
        assertThat(gaps).as("events %s", events).hasSize(1);
        int at = events.indexOf(gaps.get(0));
        assertThat(events.subList(at + 1, events.size())).as("after the gap").containsExactlyElementsOf(tail);
        List<Object> before = events.subList(0, at);
        assertThat(before).as("before the gap").isNotEmpty();
        for (int i = 0; i < before.size(); i++) {
            assertThat(before.get(i)).isEqualTo("m" + i);
        }
        Gap gap = (Gap) gaps.get(0);
        List<dev.backplane.Delivery> deliveries = held.deliveries();
        assertThat(gap.after()).as("the last position delivered before").isEqualTo(deliveries.get(at - 1).position());
        assertThat(gap.resumedAt()).as("the first position delivered after").isEqualTo(deliveries.get(at).position());
        assertThat(gap.reason()).contains(limit);
    }

    @Test
    void aSubscriberHeldBackPastTheStreamsMessageLimitGetsAGapThenTheRetainedRest() {
        Backplane a = opened.open(uri(), Map.of("maxMessages", "5", "maxUnacknowledged", "2"));
        HeldSubscriber held = holdBackThenRelease(a, "slow", null);
        assertOneGapThenTail(held, List.of("m16", "m17", "m18", "m19", "m20"), "maxMessages=5");
    }

    @Test
    void aSubscriberHeldBackPastItsChannelsLimitGetsAGapThenTheRetainedRest() {
        Backplane a = opened.open(uri(), Map.of("maxMsgsPerSubject", "3", "maxUnacknowledged", "2"));
        // An older message of another channel keeps the stream's first sequence low: only the
        // channel's own limit removes anything of it.
        await(a.publish("older", utf8("kept")));
        HeldSubscriber held = holdBackThenRelease(a, "slow", "busy");
        assertOneGapThenTail(held, List.of("m18", "m19", "m20"), "maxMsgsPerSubject");
    }

    @Test
    void interleavedChannelsWithoutRetentionPressureGiveNoGap() {
        Backplane a = opened.open(uri(), Map.of("maxMessages", "100000", "maxMsgsPerSubject", "1000"));
        Recorder live = subscribe(a, "one");
        await(a.publish("one", utf8("before")));
        await(a.publish("two", utf8("elsewhere")));
        Recorder replaying = replay(a, "one", Position.EARLIEST);
        List<String> expected = new ArrayList<>(List.of("before"));
        for (int i = 0; i < 30; i++) {
            await(a.publish("two", utf8("x" + i)));
            await(a.publish("three", utf8("y" + i)));
            await(a.publish("one", utf8("m" + i)));
            expected.add("m" + i);
        }
        replaying.awaitCount(expected.size());
        live.awaitCount(expected.size());
        assertThat(replaying.settle()).isEqualTo(expected.size());
        assertThat(live.texts()).containsExactlyElementsOf(expected);
        assertThat(replaying.texts()).containsExactlyElementsOf(expected);
        assertThat(live.gaps()).isEmpty();
        assertThat(replaying.gaps()).isEmpty();
    }

    @Test
    void aSlowSubscriberHoldsAtMostMaxUnacknowledgedDeliveriesAndLosesNothing() {
        Backplane a = opened.open(uri(), Map.of("maxUnacknowledged", "5"));
        HeldSubscriber held = new HeldSubscriber();
        StreamSubscription subscription;
        try {
            subscription = (StreamSubscription) await(a.subscribe("flow", held));
            await(a.publish("flow", utf8("m0")));
            held.awaitHeld();
            for (int i = 1; i <= 200; i++) {
                await(a.publish("flow", utf8("m" + i)));
            }
            // Whatever the server already sent has arrived by now, and was dropped unread if over the bound.
            Thread.sleep(KitTimeouts.quiet().toMillis());
            assertThat(subscription.unacknowledged()).as("deliveries held in client memory").isLessThanOrEqualTo(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            held.release();
        }
        held.awaitEvent("m200"::equals, "m200");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= 200; i++) {
            expected.add("m" + i);
        }
        assertThat(held.events()).as("everything, in order, once, no gap").containsExactlyElementsOf(expected);
    }
}
