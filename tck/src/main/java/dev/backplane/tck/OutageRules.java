package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    @DisplayName("T17 outage, publish: while the broker is down every publish future completes (accepted, or "
            + "BrokerUnavailableException) within publishTimeout plus grace, none hangs; at-least-once: every "
            + "publish reported accepted is delivered after recovery")
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
     * Publishes each text with the broker down and checks that every call returns at once and every
     * future completes in bounded time, failing only with {@link BrokerUnavailableException}.
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
            assertThat(took).as("time the publish call itself blocked while the broker was down (publishTimeout %s "
                    + "+ grace)", KitTimeouts.publish()).isLessThanOrEqualTo(bound);
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
            + "subscriptions receive new messages without any user action, within the recovery time")
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
        long deadline = System.nanoTime() + KitTimeouts.recovery().toNanos();
        int probes = 0;
        int accepted = 0;
        while (!(receivedProbe(onA) && receivedProbe(onB))) {
            if (System.nanoTime() > deadline) {
                String which = (receivedProbe(onA) ? "" : "on the publishing instance ")
                        + (receivedProbe(onB) ? "" : "on another instance");
                throw new AssertionError("after the broker restarted, " + (accepted == 0
                        ? "no publish succeeded within " + KitTimeouts.recovery()
                        : "the existing subscription " + which + " received none of " + accepted
                                + " messages published within " + KitTimeouts.recovery()
                                + ": it was not resubscribed without user action"));
            }
            Outcome<Position> outcome = outcome(a.publish("recover", utf8("probe-" + probes++)),
                    System.nanoTime() + KitTimeouts.publish().plus(KitTimeouts.grace()).toNanos());
            if (outcome.succeeded()) {
                accepted++;
            }
            sleep(Duration.ofMillis(100));
        }
        List<String> after = numbered("after-", 10);
        publishAll(a, "recover", after);
        onA.awaitTexts(after, KitTimeouts.delivery(), "after recovery, a message was not delivered to a subscription "
                + "made before the outage");
        onB.awaitTexts(after, KitTimeouts.delivery(), "after recovery, a message was not delivered to a subscription "
                + "made before the outage");
        Recorder fresh = subscribe(b, "recover-new");
        publish(a, "recover-new", "new");
        fresh.awaitCount(1, "after recovery, a new subscription does not work");
    }

    private static boolean receivedProbe(Recorder r) {
        return r.texts().stream().anyMatch(t -> t.startsWith("probe-"));
    }

    @Test
    @DisplayName("T19 outage, at-most-once: a subscription that lost its connection reports onGap for its channel "
            + "after reconnecting [needs guarantee=AT_MOST_ONCE]")
    void t19_atMostOnceReportsGapAfterOutage() {
        requireAtMostOnce("T19");
        Backplane a = open();
        Backplane b = open();
        Recorder onA = subscribe(a, "gap");
        Recorder onB = subscribe(b, "gap");
        publish(a, "gap", "before");
        onA.awaitCount(1, "a message was not delivered before the outage");
        onB.awaitCount(1, "a message was not delivered before the outage");
        assertThat(onA.gaps()).as("gaps reported before any outage").isEmpty();
        stopBroker();
        quietPeriod();
        startBroker();
        for (Recorder r : List.of(onA, onB)) {
            Gap gap = r.awaitGap("an at-most-once subscription that lost its connection to the broker did not report "
                    + "onGap after reconnecting, so its user cannot know messages may have been lost");
            assertThat(gap.channel()).as("channel of the reported gap").isEqualTo("gap");
        }
    }

    @Test
    @DisplayName("T20 outage, at-least-once: no loss across a broker restart: messages accepted before the stop and "
            + "not yet consumed, those accepted during the outage and those published after are all delivered "
            + "[needs guarantee=AT_LEAST_ONCE]")
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
