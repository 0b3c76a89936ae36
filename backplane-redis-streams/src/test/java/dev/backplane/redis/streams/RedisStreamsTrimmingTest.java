package dev.backplane.redis.streams;

import static dev.backplane.redis.streams.StreamsTestSupport.await;
import static dev.backplane.redis.streams.StreamsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Streams stay bounded by MAXLEN, and whatever trimming takes from a subscription is reported as a gap. */
class RedisStreamsTrimmingTest extends RedisStreamsBrokerTest {

    private static List<Position> publishAll(Backplane backplane, String channel, int count) {
        List<CompletableFuture<Position>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(backplane.publish(channel, utf8("m" + i)));
        }
        return futures.stream().map(StreamsTestSupport::await).toList();
    }

    @Test
    void aStreamStaysBoundedByMaxLenWhileKeepingAtLeastMaxLenEntries() {
        Backplane backplane = support.open("maxLen", "10");
        publishAll(backplane, "bounded", 1000);
        try (Jedis redis = support.redis()) {
            long length = redis.xlen(support.prefix() + ":bounded");
            // Approximate trimming removes whole nodes of up to 100 entries, never below maxLen.
            assertThat(length).as("entries kept of 1000 with maxLen ~10").isBetween(10L, 300L);
        }
    }

    @Test
    void replayFromEarliestOfATrimmedStreamReportsAGapNamingMaxLenBeforeTheFirstDelivery() {
        Backplane backplane = support.open("maxLen", "10");
        publishAll(backplane, "trimmed", 300);
        Recorder recorder = new Recorder("trimmed", failures, true);
        await(backplane.subscribe("trimmed", Position.EARLIEST, recorder));

        Gap gap = recorder.awaitGap();
        recorder.awaitText("m299"::equals, "the newest message");
        List<Recorder.Received> received = recorder.received();
        assertThat(gap.after()).isEqualTo(Position.EARLIEST);
        assertThat(gap.resumedAt()).isEqualTo(received.get(0).position());
        assertThat(gap.reason()).contains("MAXLEN ~10");
        assertThat(received.size()).isBetween(10, 299);
        int first = Integer.parseInt(received.get(0).text().substring(1));
        assertThat(recorder.texts()).as("the retained tail, in order")
                .isEqualTo(java.util.stream.IntStream.range(first, 300).mapToObj(i -> "m" + i).toList());
    }

    @Test
    void replayFromATrimmedPositionReportsAGapAfterThatPosition() {
        Backplane backplane = support.open("maxLen", "10");
        List<Position> positions = publishAll(backplane, "old", 300);
        Recorder recorder = new Recorder("old", failures, true);
        await(backplane.subscribe("old", positions.get(5), recorder));

        Gap gap = recorder.awaitGap();
        recorder.awaitText("m299"::equals, "the newest message");
        assertThat(gap.after()).isEqualTo(positions.get(5));
        assertThat(gap.resumedAt()).isEqualTo(recorder.received().get(0).position());
        assertThat(gap.channel()).isEqualTo("old");
    }

    @Test
    void replayFromARetainedPositionDeliversTheRestWithoutAGap() {
        Backplane backplane = support.open("maxLen", "1000");
        List<Position> positions = publishAll(backplane, "kept", 20);
        Recorder recorder = new Recorder("kept", failures, true);
        await(backplane.subscribe("kept", positions.get(9), recorder));

        recorder.awaitCount(10);
        assertThat(recorder.settle()).isEqualTo(10);
        assertThat(recorder.texts()).containsExactly("m10", "m11", "m12", "m13", "m14", "m15", "m16", "m17", "m18", "m19");
        assertThat(recorder.gaps()).isEmpty();
    }

    @Test
    void replayFromEarliestOfAnUntrimmedStreamHasNoGap() {
        Backplane backplane = support.open("maxLen", "1000", "readBatch", "7");
        publishAll(backplane, "whole", 30);
        Recorder recorder = new Recorder("whole", failures, true);
        await(backplane.subscribe("whole", Position.EARLIEST, recorder));

        recorder.awaitCount(30);
        assertThat(recorder.settle()).isEqualTo(30);
        assertThat(recorder.gaps()).isEmpty();
    }

    @Test
    void aSubscriberThatFallsBehindTheTrimmingIsToldOfTheGapAndGetsTheNewestMessages() throws Exception {
        // Flow control stops reading for it at 20 unacknowledged deliveries: the rest is trimmed meanwhile.
        Backplane backplane = support.open("maxLen", "10", "ackTimeout", "60s", "maxUnacknowledged", "20");
        CountDownLatch release = new CountDownLatch(1);
        List<String> texts = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Gap> gaps = new java.util.concurrent.CopyOnWriteArrayList<>();
        Subscriber slow = new Subscriber() {
            @Override
            public void onMessage(Delivery delivery) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                texts.add(new String(delivery.payload(), java.nio.charset.StandardCharsets.UTF_8));
                delivery.ack();
            }

            @Override
            public void onGap(Gap gap) {
                gaps.add(gap);
            }
        };
        await(backplane.subscribe("slow", slow));
        // The subscriber holds its first delivery while far more than maxLen entries are added.
        publishAll(backplane, "slow", 1000);
        release.countDown();

        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
        while ((gaps.isEmpty() || !texts.contains("m999")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(gaps).as("gaps reported").isNotEmpty();
        assertThat(gaps.get(0).reason()).contains("fell behind").contains("MAXLEN ~10");
        assertThat(texts).as("the newest message still arrives").contains("m999");
        assertThat(texts.size()).as("messages delivered of 1000").isLessThan(1000);
        List<Integer> numbers = texts.stream().map(t -> Integer.parseInt(t.substring(1))).toList();
        assertThat(numbers).as("in publish order, each once").isSorted().doesNotHaveDuplicates();
    }
}
