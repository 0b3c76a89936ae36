package dev.backplane.redis.streams;

import static dev.backplane.redis.streams.StreamsTestSupport.await;
import static dev.backplane.redis.streams.StreamsTestSupport.quietPeriod;
import static dev.backplane.redis.streams.StreamsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Delivery;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Flow control per subscription: one reader serves every subscription of an instance, and a
 * subscription holding {@code maxUnacknowledged} unacknowledged deliveries is read for no more,
 * without holding up the others, until acknowledgements make room.
 */
class RedisStreamsFlowControlTest extends RedisStreamsBrokerTest {

    private static final int BOUND = 20;

    private static List<String> numbered(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    private static void publishAll(Backplane backplane, String channel, List<String> texts) {
        List<CompletableFuture<Position>> futures = new ArrayList<>();
        texts.forEach(t -> futures.add(backplane.publish(channel, utf8(t))));
        futures.forEach(StreamsTestSupport::await);
    }

    /** A subscriber that waits inside its first call until {@code release}, then records into {@code recorder}. */
    private static Subscriber stuckUntil(CountDownLatch release, Recorder recorder) {
        return d -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            recorder.onMessage(d);
        };
    }

    private Backplane open() {
        return support.open("maxUnacknowledged", Integer.toString(BOUND), "ackTimeout", "60s");
    }

    @Test
    void aSubscriptionThatAcknowledgesNothingIsHandedAtMostMaxUnacknowledgedMessages() {
        Backplane backplane = open();
        List<Delivery> held = new CopyOnWriteArrayList<>();
        AtomicBoolean ackFromNowOn = new AtomicBoolean();
        Recorder holding = new Recorder("held", failures, false);
        await(backplane.subscribe("held", d -> {
            held.add(d);
            holding.onMessage(d);
            if (ackFromNowOn.get()) {
                d.ack();
            }
        }));
        Recorder acking = new Recorder("held", failures, true);
        await(backplane.subscribe("held", acking));
        List<String> texts = numbered("m", 10 * BOUND);

        publishAll(backplane, "held", texts);
        // The other subscription of the same stream got everything: the reader read past all of it.
        acking.awaitTexts(texts, KitTimeouts.delivery(), "the subscription that acknowledges");
        quietPeriod();
        assertThat(holding.texts()).as("messages handed to a subscription that acknowledged none").hasSize(BOUND)
                .isEqualTo(texts.subList(0, BOUND));

        // Acknowledging what it holds, and everything after, lets the rest through, in order, once each.
        ackFromNowOn.set(true);
        held.forEach(Delivery::ack);
        holding.awaitTexts(texts, KitTimeouts.delivery(), "the rest, after acknowledging");
        assertThat(holding.texts()).isEqualTo(texts);
        assertThat(acking.texts()).as("the other subscription, once each").isEqualTo(texts);
    }

    @Test
    void aStuckSubscriberDelaysNeitherAnotherSubscriptionOfItsChannelNorOtherChannels() {
        Backplane publisher = support.open();
        Backplane backplane = open();
        CountDownLatch release = new CountDownLatch(1);
        Recorder stuck = new Recorder("busy", failures, true);
        await(backplane.subscribe("busy", stuckUntil(release, stuck)));
        Recorder sameChannel = new Recorder("busy", failures, true);
        await(backplane.subscribe("busy", sameChannel));
        Recorder otherChannel = new Recorder("quiet", failures, true);
        await(backplane.subscribe("quiet", otherChannel));
        List<String> busy = numbered("b", 10 * BOUND);
        List<String> quiet = numbered("q", 10 * BOUND);
        try {
            List<CompletableFuture<Position>> futures = new ArrayList<>();
            for (int i = 0; i < busy.size(); i++) {
                futures.add(publisher.publish("busy", utf8(busy.get(i))));
                futures.add(publisher.publish("quiet", utf8(quiet.get(i))));
            }
            futures.forEach(StreamsTestSupport::await);
            sameChannel.awaitTexts(busy, KitTimeouts.delivery(), "the other subscription of the stuck one's channel");
            otherChannel.awaitTexts(quiet, KitTimeouts.delivery(), "a subscription of another channel");
        } finally {
            release.countDown();
        }
        stuck.awaitTexts(busy, KitTimeouts.delivery(), "the stuck subscriber, once released");
        assertThat(stuck.texts()).as("in order, once each").isEqualTo(busy);
        assertThat(sameChannel.texts()).isEqualTo(busy);
        assertThat(otherChannel.texts()).isEqualTo(quiet);
    }

    @Test
    void aSubscriptionWithoutCapacityDoesNotMakeTheReaderPoll() {
        Backplane backplane = open();
        CountDownLatch release = new CountDownLatch(1);
        Recorder stuck = new Recorder("poll", failures, true);
        await(backplane.subscribe("poll", stuckUntil(release, stuck)));
        try {
            publishAll(backplane, "poll", numbered("p", 500));
            // Once it holds what it may, its stream is left out of the reads, which then block.
            long before = support.calls("xread");
            quietPeriod();
            long during = support.calls("xread") - before;
            assertThat(during).as("XREADs in %s while the only subscription waits for capacity (blocking reads of "
                    + "2 s)", KitTimeouts.quiet()).isLessThanOrEqualTo(3);
        } finally {
            release.countDown();
        }
        stuck.awaitCount(500);
        assertThat(stuck.texts()).isEqualTo(numbered("p", 500));
    }
}
