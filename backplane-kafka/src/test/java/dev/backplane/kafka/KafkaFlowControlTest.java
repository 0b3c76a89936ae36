package dev.backplane.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Delivery;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Flow control per subscription on a real broker: a subscription holds at most
 * {@code maxUnacknowledged} deliveries, and one that is stuck delays no other subscription of its
 * channel or of any other channel of the instance, even where they share one partition.
 */
class KafkaFlowControlTest extends KafkaBrokerTest {

    @BeforeAll
    static void openBroker() {
        broker = Brokers.kafka();
    }

    @Test
    void aSubscriptionThatAcknowledgesNothingHoldsAtMostMaxUnacknowledgedDeliveries() {
        Backplane a = kit.open("");
        Backplane b = kit.open(BackplaneConfig.MAX_UNACKNOWLEDGED + "=50");
        BlockingQueue<Delivery> held = new LinkedBlockingQueue<>();
        Recorder r = new Recorder("hold", kit.failures, false);
        KafkaTestBackplanes.await(b.subscribe("hold", holding(held, r)));
        List<String> texts = publishAll(a, "hold", "h", 500);
        r.awaitCount(50);
        assertThat(r.settle()).as("deliveries made while none is acknowledged, with maxUnacknowledged=50")
                .isEqualTo(50);
        // Acknowledging as they come lets everything through, each once, in order.
        Thread acker = ackAsTheyCome(held, texts.size());
        assertThat(r.awaitCount(texts.size())).extracting(Recorder.Received::text).containsExactlyElementsOf(texts);
        join(acker);
        assertThat(r.settle()).isEqualTo(texts.size());
    }

    /**
     * More than the ten thousand queued deliveries at which the receiver used to pause the whole
     * partition, on one partition shared by every channel: the other subscriptions go on, and
     * the stuck one, once released, gets every message once and in order.
     */
    @Test
    void aStuckSubscriberDelaysNeitherItsChannelNorAnotherChannelOfThePartition() {
        String onePartition = KafkaSettings.PARTITIONS + "=1";
        Backplane a = kit.open(onePartition);
        // No redelivery while the test holds the subscriber: the stuck one must get each message exactly once.
        Backplane b = kit.open(onePartition + "&ackTimeout=5m");
        CountDownLatch release = new CountDownLatch(1);
        Recorder stuck = new Recorder("busy", kit.failures, true);
        KafkaTestBackplanes.await(b.subscribe("busy", d -> {
            awaitRelease(release);
            stuck.onMessage(d);
        }));
        Recorder sameChannel = kit.subscribe(b, "busy");
        Recorder presence = kit.subscribe(b, "presence");
        try {
            List<String> busy = publishAll(a, "busy", "b", 12_000);
            List<String> beats = publishAll(a, "presence", "p", 20);
            presence.awaitTexts(beats, KitTimeouts.delivery(), "a channel of the same partition behind a stuck subscriber");
            sameChannel.awaitTexts(busy, KitTimeouts.delivery(), "another subscription of the stuck subscriber's channel");
        } finally {
            release.countDown();
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            expected.add("b" + i);
        }
        assertThat(stuck.awaitCount(expected.size(), KitTimeouts.recovery())).extracting(Recorder.Received::text)
                .as("what the stuck subscriber got once released").containsExactlyElementsOf(expected);
        assertThat(stuck.settle()).isEqualTo(expected.size());
        assertThat(presence.gaps()).isEmpty();
    }

    private static Subscriber holding(BlockingQueue<Delivery> held, Recorder r) {
        return d -> {
            held.add(d);
            r.onMessage(d);
        };
    }

    private static List<String> publishAll(Backplane backplane, String channel, String prefix, int count) {
        List<String> texts = new ArrayList<>();
        List<CompletableFuture<Position>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            texts.add(prefix + i);
            futures.add(backplane.publish(channel, (prefix + i).getBytes(StandardCharsets.UTF_8)));
            if (futures.size() == 1000) {
                // Within maxPendingPublishes.
                futures.forEach(KafkaTestBackplanes::await);
                futures.clear();
            }
        }
        futures.forEach(KafkaTestBackplanes::await);
        return texts;
    }

    private static Thread ackAsTheyCome(BlockingQueue<Delivery> held, int total) {
        Thread acker = new Thread(() -> {
            long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
            try {
                for (int acked = 0; acked < total && System.nanoTime() < deadline; ) {
                    Delivery d = held.poll(100, TimeUnit.MILLISECONDS);
                    if (d != null) {
                        d.ack();
                        acked++;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-acker");
        acker.setDaemon(true);
        acker.start();
        return acker;
    }

    private static void awaitRelease(CountDownLatch release) {
        try {
            release.await(KitTimeouts.recovery().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread t) {
        try {
            t.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
