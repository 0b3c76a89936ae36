package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Transport rules T29 to T34: the callback-thread rule (a callback may publish and wait, or block,
 * without stalling the backplane), flow control per subscription, and the one answer to a replay
 * from beyond the end. Part of {@link BackplaneTck}; extend that class, not this one.
 */
public abstract class CallbackAndFlowRules extends ReplayAndAckRules {

    /** The {@code maxUnacknowledged} the flow-control rules configure. */
    static final int UNACKNOWLEDGED_BOUND = 20;

    private long bounded() {
        return System.nanoTime() + KitTimeouts.publish().multipliedBy(2).plus(KitTimeouts.grace()).toNanos();
    }

    @Test
    @DisplayName("T29 a callback chained on a publish future may publish again and wait for that publish: both "
            + "complete and both messages are delivered")
    void t29_publishFutureCallbackMayPublishAndWait() {
        Backplane a = open();
        Backplane b = open();
        Recorder r = subscribe(b, "reentrant");
        // Several, so that some callbacks are chained before their future completes, whatever the timing.
        List<CompletableFuture<Position>> chained = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String inner = "inner-" + i;
            chained.add(a.publish("reentrant", utf8("outer-" + i))
                    .thenApply(p -> a.publish("reentrant", utf8(inner)).join()));
        }
        long deadline = bounded();
        for (CompletableFuture<Position> future : chained) {
            Outcome<Position> outcome = outcome(future, deadline);
            assertThat(outcome.done()).as("a publish made and joined inside a callback on a publish future did not "
                    + "complete (the backplane completes futures on a thread that the waiting callback blocks: it "
                    + "hangs)").isTrue();
            assertThat(outcome.failure()).as("failure of the publish made inside the callback").isNull();
        }
        Outcome<Position> unrelated = outcome(a.publish("reentrant", utf8("after")), bounded());
        assertThat(unrelated.succeeded()).as("a publish made after the re-entrant ones did not complete within "
                + "publishTimeout: the backplane stayed stalled").isTrue();
        List<String> expected = new ArrayList<>(numbered("outer-", 10));
        expected.addAll(numbered("inner-", 10));
        expected.add("after");
        r.awaitTexts(expected, KitTimeouts.delivery(), "a message published from inside a callback was not delivered");
    }

    @Test
    @DisplayName("T30 a callback on a subscribe future, and a subscriber inside onMessage, may publish and wait for "
            + "that publish; what they publish is delivered")
    void t30_subscribeCallbackAndSubscriberMayPublishAndWait() {
        Backplane a = open();
        Backplane b = open();
        Recorder out = subscribe(b, "echo-out");
        CompletableFuture<Position> fromSubscribeCallback = a.subscribe("echo-in", d -> {
            a.publish("echo-out", utf8("echo-" + new String(d.payload(), StandardCharsets.UTF_8))).join();
            d.ack();
        }).thenApply(s -> a.publish("echo-out", utf8("subscribed")).join());
        Outcome<Position> subscribed = outcome(fromSubscribeCallback, bounded());
        assertThat(subscribed.done()).as("a publish made and joined inside a callback on a subscribe future did not "
                + "complete: it stalled its backplane (it hangs)").isTrue();
        assertThat(subscribed.failure()).as("failure of the publish made inside the subscribe callback").isNull();
        publishAll(a, "echo-in", numbered("m", 5));
        out.awaitTexts(List.of("subscribed", "echo-m0", "echo-m1", "echo-m2", "echo-m3", "echo-m4"),
                KitTimeouts.delivery(), "a subscriber that publishes and waits inside onMessage stalled its backplane");
    }

    @Test
    @DisplayName("T31 a callback that blocks on one publish future delays no other: publishes made meanwhile "
            + "complete within publishTimeout")
    void t31_blockingCallbackDelaysNoOtherPublish() {
        Backplane a = open();
        Thread test = Thread.currentThread();
        CountDownLatch release = new CountDownLatch(1);
        try {
            // A future already complete when returned runs its callback here, which proves nothing:
            // try again until one is chained in time (a transport that always completes at once passes).
            for (int attempt = 0; attempt < 20; attempt++) {
                CountDownLatch entered = new CountDownLatch(1);
                boolean[] inline = new boolean[1];
                a.publish("blocking", utf8("first-" + attempt)).thenRun(() -> {
                    inline[0] = Thread.currentThread() == test;
                    entered.countDown();
                    if (!inline[0]) {
                        await(release);
                    }
                });
                assertThat(awaitLatch(entered, KitTimeouts.delivery())).as("the callback on a publish future never ran")
                        .isTrue();
                if (inline[0]) {
                    continue;
                }
                List<CompletableFuture<Position>> meanwhile = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    meanwhile.add(a.publish("blocking", utf8("meanwhile-" + i)));
                }
                long deadline = bounded();
                for (int i = 0; i < meanwhile.size(); i++) {
                    Outcome<Position> o = outcome(meanwhile.get(i), deadline);
                    assertThat(o.succeeded()).as("publish %d made while a callback on an earlier publish future blocks "
                            + "did not complete within publishTimeout (ended: %s); the backplane completes its futures "
                            + "on one thread that user code can hold", i, o.done() ? o.failure() : "pending").isTrue();
                }
                return;
            }
        } finally {
            release.countDown();
        }
    }

    @Test
    @DisplayName("T32 flow control: a subscription that acknowledges nothing holds at most maxUnacknowledged "
            + "deliveries; acknowledging lets every message through, each once [needs guarantee=AT_LEAST_ONCE]")
    void t32_unacknowledgedDeliveriesStayUnderTheBound() {
        requireAtLeastOnce("T32");
        Backplane a = open();
        Backplane b = open(prefix(), Map.of(BackplaneConfig.MAX_UNACKNOWLEDGED, Integer.toString(UNACKNOWLEDGED_BOUND)));
        List<Delivery> held = new CopyOnWriteArrayList<>();
        Recorder r = recorder("held", false);
        subscribe(b, "held", (Subscriber) d -> {
            held.add(d);
            r.onMessage(d);
        });
        List<String> texts = numbered("u", UNACKNOWLEDGED_BOUND * 3);
        publishAll(a, "held", texts);
        r.awaitCount(UNACKNOWLEDGED_BOUND, "a subscription that acknowledges nothing did not even get "
                + "maxUnacknowledged=" + UNACKNOWLEDGED_BOUND + " deliveries");
        quietPeriod();
        assertThat(r.texts().stream().distinct().count()).as("messages handed to a subscription that acknowledged none "
                + "of them, with maxUnacknowledged=" + UNACKNOWLEDGED_BOUND + ": unacknowledged deliveries must stay "
                + "under the bound (memory grows without one)").isLessThanOrEqualTo(UNACKNOWLEDGED_BOUND);
        // Acknowledge what is held, and everything from now on: the rest must come.
        CountDownLatch all = new CountDownLatch(1);
        Thread acker = new Thread(() -> {
            long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
            int done = 0;
            while (System.nanoTime() < deadline && r.texts().stream().distinct().count() < texts.size()) {
                for (; done < held.size(); done++) {
                    held.get(done).ack();
                }
                sleep(Duration.ofMillis(5));
            }
            for (; done < held.size(); done++) {
                held.get(done).ack();
            }
            all.countDown();
        }, "tck-acker");
        acker.setDaemon(true);
        acker.start();
        awaitLatch(all, KitTimeouts.delivery().plus(KitTimeouts.grace()));
        r.awaitTexts(texts, KitTimeouts.delivery(), "after the held deliveries were acknowledged, the messages beyond "
                + "maxUnacknowledged did not come (flow control never resumed)");
        assertThat(r.texts().stream().filter(t -> texts.contains(t)).distinct().count()).isEqualTo(texts.size());
    }

    @Test
    @DisplayName("T33 a subscription whose subscriber is stuck delays no other: another subscription of the same "
            + "channel and a subscription of another channel, on the same instance, get every message meanwhile")
    void t33_stuckSubscriberDelaysNoOtherSubscription() {
        Backplane a = open();
        Backplane b = open(prefix(), Map.of(BackplaneConfig.MAX_UNACKNOWLEDGED, Integer.toString(UNACKNOWLEDGED_BOUND)));
        CountDownLatch release = new CountDownLatch(1);
        Recorder stuck = recorder("slow", true);
        subscribe(b, "slow", (Subscriber) d -> {
            await(release);
            stuck.onMessage(d);
        });
        Recorder sameChannel = subscribe(b, "slow");
        Recorder otherChannel = subscribe(b, "fast");
        try {
            List<String> slowTexts = numbered("s", UNACKNOWLEDGED_BOUND * 3);
            List<String> fastTexts = numbered("f", 30);
            // Interleaved, so that a transport that reads both channels from one place must pass the stuck one by.
            List<CompletableFuture<Position>> published = new ArrayList<>();
            for (int i = 0; i < slowTexts.size(); i++) {
                published.add(a.publish("slow", utf8(slowTexts.get(i))));
                if (i < fastTexts.size()) {
                    published.add(a.publish("fast", utf8(fastTexts.get(i))));
                }
            }
            published.forEach(f -> await(f, "publish"));
            otherChannel.awaitTexts(fastTexts, KitTimeouts.delivery(), "a subscription of another channel on the same "
                    + "instance was held up by a stuck subscriber");
            sameChannel.awaitTexts(slowTexts, KitTimeouts.delivery(), "another subscription of the same channel on the "
                    + "same instance was held up by a stuck subscriber");
        } finally {
            release.countDown();
        }
        if (capabilities().atLeastOnce()) {
            stuck.awaitTexts(numbered("s", UNACKNOWLEDGED_BOUND * 3), KitTimeouts.delivery(), "once released, the "
                    + "stuck subscriber did not get every message (at least once)");
        }
    }

    @Test
    @DisplayName("T34 replay from a well-formed position beyond the channel's end (another prefix's, or from before "
            + "the broker lost its data) reports onGap first, then replays everything retained, then live messages "
            + "[needs replay]")
    void t34_replayFromBeyondTheEndReportsAGapThenReplaysEverything() {
        requireReplay("T34");
        String other = prefix() + "x";
        Backplane here = open();
        Backplane elsewhere = open(other, Map.of());
        publish(here, "c", "retained");
        Position beyond = null;
        for (String text : numbered("elsewhere-", 5)) {
            beyond = publish(elsewhere, "c", text);
        }
        Recorder r = recorder("c", true);
        await(here.subscribe("c", beyond, r), "subscribe to 'c' from a position beyond its end");
        r.awaitCount(1, "a replay from a position beyond the end must replay everything retained; nothing came");
        publish(here, "c", "live");
        r.awaitTexts(List.of("retained", "live"), KitTimeouts.delivery(), "a replay from beyond the end lost messages");
        quietPeriod();
        assertThat(r.texts()).as("a replay from a position beyond the end replays every retained message, then live "
                + "ones, each once").containsExactly("retained", "live");
        assertThat(r.gaps()).as("gaps reported by a replay from a position beyond the channel's end: it must say so, "
                + "or a subscriber resuming after the broker lost its data never learns").isNotEmpty();
        Gap gap = r.gaps().get(0);
        assertThat(gap.channel()).as("channel of the gap").isEqualTo("c");
    }

    private static void await(CountDownLatch latch) {
        awaitLatch(latch, KitTimeouts.recovery());
    }

    private static boolean awaitLatch(CountDownLatch latch, Duration timeout) {
        try {
            return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
