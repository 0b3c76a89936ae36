package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Transport rules T17 to T20: what a broker outage may and may not do. They stop and start the
 * broker through {@link BrokerControl}. Part of {@link BackplaneTck}; extend that class, not this one.
 */
public abstract class OutageRules extends CallRules {

    @Test
    @DisplayName("T17 outage, publish: while the broker is down every publish call returns at once (within about "
            + "100 ms) and its future completes (accepted, or BrokerUnavailableException) within publishTimeout plus "
            + "grace, none hangs; at-least-once: every publish reported accepted is delivered after recovery")
    void t17_publishDuringOutageCompletesInBoundedTime() {
        Backplane a = open();
        Backplane b = open();
        Recorder onB = subscribe(b, "outage");
        publish(a, "outage", "before");
        onB.awaitCount(1, "a message was not delivered before the outage");
        stopBroker();
        List<String> accepted = publishDuringOutage(a, "outage", numbered("during-", 20));
        startBroker();
        if (capabilities().atLeastOnce()) {
            onB.awaitTexts(accepted, KitTimeouts.recovery(), "a publish reported success while the broker was down, "
                    + "and the message was never delivered after the broker came back");
        }
    }

    /**
     * Publishes each text with the broker down and checks that every call returns at once (within
     * {@link KitTimeouts#call()}) and every future completes in bounded time, failing only with
     * {@link BrokerUnavailableException}.
     *
     * @return the texts whose publish reported success
     */
    static List<String> publishDuringOutage(Backplane backplane, String channel, List<String> texts) {
        Duration bound = KitTimeouts.publish().plus(KitTimeouts.grace());
        List<CompletableFuture<Position>> futures = new ArrayList<>();
        List<Long> started = new ArrayList<>();
        for (String text : texts) {
            long start = System.nanoTime();
            CompletableFuture<Position> future;
            try {
                future = backplane.publish(channel, utf8(text));
            } catch (RuntimeException e) {
                throw new AssertionError("publish threw " + e + " at the call while the broker was down; broker "
                        + "trouble must fail the returned future instead", e);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("time the publish call of '%s' itself blocked its caller while the broker was down "
                    + "(it must return at once, within %s, and settle its future later): a request thread would hang "
                    + "on it", text, KitTimeouts.call()).isLessThanOrEqualTo(KitTimeouts.call());
            futures.add(future);
            started.add(start);
        }
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            Outcome<Position> outcome = outcome(futures.get(i), started.get(i) + bound.toNanos());
            assertThat(outcome.done()).as("publish future of '%s' completed within publishTimeout %s + grace %s while "
                    + "the broker was down (it hangs)", texts.get(i), KitTimeouts.publish(), KitTimeouts.grace())
                    .isTrue();
            if (outcome.failure() == null) {
                accepted.add(texts.get(i));
            } else {
                Throwable cause = outcome.failure() instanceof CompletionException c && c.getCause() != null
                        ? c.getCause() : outcome.failure();
                assertThat(cause).as("failure of a publish while the broker was down").isInstanceOf(
                        BrokerUnavailableException.class);
            }
        }
        return accepted;
    }

    @Test
    @DisplayName("T18 outage, recovery: after the broker restarts, publishes succeed again and existing "
            + "subscriptions receive each new message once without any user action, within the recovery time")
    void t18_subscriptionsResumeAfterBrokerRestart() {
        Backplane a = open();
        Backplane b = open();
        Recorder onA = subscribe(a, "recover");
        Recorder onB = subscribe(b, "recover");
        publish(a, "recover", "before");
        onA.awaitCount(1, "a message was not delivered before the outage");
        onB.awaitCount(1, "a message was not delivered before the outage");
        stopBroker();
        quietPeriod();
        startBroker();
        awaitRecovery(a, "recover", Map.of("on the publishing instance", onA, "on another instance", onB));
        List<String> after = numbered("after-", 10);
        publishAll(a, "recover", after);
        onA.awaitTexts(after, KitTimeouts.delivery(), "after recovery, a message was not delivered to a subscription "
                + "made before the outage");
        onB.awaitTexts(after, KitTimeouts.delivery(), "after recovery, a message was not delivered to a subscription "
                + "made before the outage");
        Recorder fresh = subscribe(b, "recover-new");
        publish(a, "recover-new", "new");
        fresh.awaitCount(1, "after recovery, a new subscription does not work");
        quietPeriod();
        for (Recorder r : List.of(onA, onB)) {
            assertEachOnce(r, after, "messages published after recovery on a subscription made before the outage "
                    + "(a subscription resubscribed twice gets each of them twice)");
        }
    }

    /**
     * Publishes probes to {@code channel} from {@code publisher} until every recorder received one,
     * for at most {@link KitTimeouts#recovery()}; fails naming the subscriptions that stayed deaf.
     */
    static void awaitRecovery(Backplane publisher, String channel, Map<String, Recorder> subscriptions) {
        long deadline = System.nanoTime() + KitTimeouts.recovery().toNanos();
        int probes = 0;
        int accepted = 0;
        while (!subscriptions.values().stream().allMatch(OutageRules::receivedProbe)) {
            if (System.nanoTime() > deadline) {
                List<String> deaf = subscriptions.entrySet().stream().filter(e -> !receivedProbe(e.getValue()))
                        .map(Map.Entry::getKey).sorted().toList();
                throw new AssertionError("after the broker restarted, " + (accepted == 0
                        ? "no publish succeeded within " + KitTimeouts.recovery()
                        : "the subscription made before the outage " + String.join(" and ", deaf) + " received none of "
                                + "the " + accepted + " messages published within " + KitTimeouts.recovery()
                                + ": it was not resubscribed without user action"));
            }
            Outcome<Position> outcome = outcome(publisher.publish(channel, utf8("probe-" + probes++)),
                    System.nanoTime() + KitTimeouts.publish().plus(KitTimeouts.grace()).toNanos());
            if (outcome.succeeded()) {
                accepted++;
            }
            sleep(Duration.ofMillis(100));
        }
    }

    private static boolean receivedProbe(Recorder r) {
        return r.texts().stream().anyMatch(t -> t.startsWith("probe-"));
    }

    @Test
    @DisplayName("T19 outage, at-most-once: after reconnecting, every subscription (several channels, several "
            + "subscriptions per instance) reports exactly one onGap naming its own channel, and one whose onGap "
            + "throws keeps receiving [needs guarantee=AT_MOST_ONCE]")
    void t19_atMostOnceReportsGapAfterOutage() {
        requireAtMostOnce("T19");
        Backplane a = open();
        Backplane b = open();
        Map<String, Recorder> subscriptions = new LinkedHashMap<>();
        subscriptions.put("g1 (first on instance a)", subscribe(a, "g1"));
        subscriptions.put("g1 (second on instance a)", subscribe(a, "g1"));
        subscriptions.put("g2 on instance a", subscribe(a, "g2"));
        subscriptions.put("g1 on instance b", subscribe(b, "g1"));
        subscriptions.put("g2 on instance b", subscribe(b, "g2"));
        Recorder throwing = recorder("g3", true);
        subscribe(a, "g3", throwingOnGap(throwing));
        subscriptions.put("g3 on instance a, whose onGap throws", throwing);
        for (String channel : List.of("g1", "g2", "g3")) {
            publish(a, channel, "before");
        }
        subscriptions.forEach((name, r) -> r.awaitCount(1, "a message was not delivered before the outage"));
        subscriptions.forEach((name, r) -> assertThat(r.gaps()).as("gaps reported before any outage").isEmpty());
        stopBroker();
        quietPeriod();
        startBroker();
        subscriptions.forEach((name, r) -> r.awaitGap("the at-most-once subscription " + name + " lost its connection "
                + "to the broker and did not report onGap after reconnecting, so its user cannot know messages may "
                + "have been lost"));
        awaitRecovery(a, "g1", Map.of("g1 (first on instance a)", subscriptions.get("g1 (first on instance a)")));
        quietPeriod();
        subscriptions.forEach((name, r) -> {
            assertThat(r.gaps()).extracting(Gap::channel).as("channels of the gaps reported to the subscription %s "
                    + "for one outage: exactly one, naming its own channel", name).containsExactly(r.channel());
        });
        publish(b, "g3", "after the gap");
        throwing.awaitTexts(List.of("after the gap"), KitTimeouts.delivery(), "a subscription whose onGap threw "
                + "stopped receiving");
    }

    /** A subscriber that records into {@code r} and throws from {@code onGap} after recording the gap. */
    static Subscriber throwingOnGap(Recorder r) {
        return new Subscriber() {
            @Override
            public void onMessage(dev.backplane.Delivery delivery) {
                r.onMessage(delivery);
            }

            @Override
            public void onGap(Gap gap) {
                r.onGap(gap);
                throw new IllegalStateException("thrown on purpose by the kit's subscriber from onGap");
            }
        };
    }

    @Test
    @DisplayName("T20 outage, at-least-once: no loss across a broker restart: messages accepted before the stop and "
            + "not yet consumed, those accepted during the outage and those published after are all delivered, the "
            + "last two kinds exactly once [needs guarantee=AT_LEAST_ONCE]")
    void t20_atLeastOnceLosesNothingAcrossRestart() {
        requireAtLeastOnce("T20");
        Backplane a = open();
        Backplane b = open();
        Recorder r = recorder("durable", true);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        // The first delivery is held until the broker is down, so the rest are still unconsumed then.
        subscribe(b, "durable", (Subscriber) d -> {
            if (first.getAndSet(false)) {
                try {
                    release.await(KitTimeouts.recovery().toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            r.onMessage(d);
        });
        List<String> expected = new ArrayList<>(numbered("before-", 20));
        publishAll(a, "durable", expected);
        stopBroker();
        release.countDown();
        expected.addAll(publishDuringOutage(a, "durable", numbered("during-", 10)));
        startBroker();
        long deadline = System.nanoTime() + KitTimeouts.recovery().toNanos();
        for (String text : numbered("after-", 10)) {
            publishOnceRecovered(a, "durable", text, deadline);
            expected.add(text);
        }
        r.awaitTexts(expected, KitTimeouts.recovery(), "a message the broker had accepted was lost across the "
                + "broker restart");
        quietPeriod();
        // Those handed over before the stop may come again (their acknowledgement may not have
        // reached the broker); those published during and after the outage were acknowledged
        // while it was up and must come once.
        assertEachOnce(r, expected.stream().filter(t -> !t.startsWith("before-")).toList(), "messages published "
                + "during and after the outage, each exactly once (a subscription resubscribed twice gets each of "
                + "them twice)");
    }

    /** Publishes, retrying while the broker is not back yet, until the deadline. */
    static Position publishOnceRecovered(Backplane backplane, String channel, String text, long deadlineNanos) {
        Throwable last = null;
        while (System.nanoTime() < deadlineNanos) {
            Outcome<Position> outcome = outcome(backplane.publish(channel, utf8(text)),
                    System.nanoTime() + KitTimeouts.publish().plus(KitTimeouts.grace()).toNanos());
            if (outcome.succeeded()) {
                return outcome.value();
            }
            last = outcome.failure();
            sleep(Duration.ofMillis(100));
        }
        throw new AssertionError("no publish to '" + channel + "' succeeded within " + KitTimeouts.recovery()
                + " after the broker restarted; last failure: " + last, last);
    }
}
