package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Transport rules T43 to T45: what a broker restart may not do to messages already acknowledged,
 * outages that outlast the publish timeout, and publishes caught by the stop. They stop and start
 * the broker through {@link BrokerControl}. Part of {@link BackplaneTck}; extend that class, not
 * this one.
 */
public abstract class RestartRules extends UnsubscribeAndResourceRules {

    @Test
    @DisplayName("T43 restart, no repeats: messages delivered and acknowledged before a broker restart never come "
            + "again after it, on any transport")
    void t43_acknowledgedMessagesDoNotComeAgainAfterRestart() {
        Backplane a = open();
        Backplane b = open();
        Recorder onA = subscribe(a, "settled");
        Recorder onB = subscribe(b, "settled");
        List<String> settled = numbered("settled-", 20);
        publishAll(a, "settled", settled);
        for (Recorder r : List.of(onA, onB)) {
            r.awaitTexts(settled, KitTimeouts.delivery(), "a message was not delivered before the restart");
        }
        quietPeriod(); // the acknowledgements reach the broker
        stopBroker();
        quietPeriod();
        startBroker();
        Map<String, Recorder> both = new LinkedHashMap<>();
        both.put("on the publishing instance", onA);
        both.put("on another instance", onB);
        OutageRules.awaitRecovery(a, "settled", both);
        publish(a, "settled", "after");
        for (Recorder r : List.of(onA, onB)) {
            r.awaitTexts(List.of("after"), KitTimeouts.delivery(), "after recovery, a message was not delivered");
        }
        quietPeriod();
        for (Recorder r : List.of(onA, onB)) {
            assertEachOnce(r, settled, "messages delivered and acknowledged before the broker restart, which must not "
                    + "come again after it (the subscription resumed from before what it had acknowledged)");
        }
    }

    @Test
    @DisplayName("T44 long outage: after an outage twice as long as publishTimeout, subscriptions made before it "
            + "resume without user action and get each new message once; at-least-once: what was accepted during "
            + "it is delivered")
    void t44_subscriptionsResumeAfterAnOutageLongerThanThePublishTimeout() {
        Backplane a = open();
        Backplane b = open();
        Recorder onA = subscribe(a, "long");
        Recorder onB = subscribe(b, "long");
        publish(a, "long", "before");
        onA.awaitCount(1, "a message was not delivered before the outage");
        onB.awaitCount(1, "a message was not delivered before the outage");
        stopBroker();
        long stopped = System.nanoTime();
        List<String> accepted = OutageRules.publishDuringOutage(a, "long", numbered("during-", 5));
        long outage = KitTimeouts.publish().multipliedBy(2).toNanos();
        sleep(java.time.Duration.ofNanos(Math.max(0, stopped + outage - System.nanoTime())));
        startBroker();
        Map<String, Recorder> both = new LinkedHashMap<>();
        both.put("on the publishing instance", onA);
        both.put("on another instance", onB);
        OutageRules.awaitRecovery(a, "long", both);
        List<String> after = numbered("after-", 10);
        publishAll(a, "long", after);
        for (Recorder r : List.of(onA, onB)) {
            r.awaitTexts(after, KitTimeouts.delivery(), "after an outage longer than publishTimeout, a subscription "
                    + "made before it missed new messages");
            if (capabilities().atLeastOnce()) {
                r.awaitTexts(accepted, KitTimeouts.recovery(), "a publish accepted during an outage longer than "
                        + "publishTimeout was never delivered");
            }
        }
        quietPeriod();
        for (Recorder r : List.of(onA, onB)) {
            assertEachOnce(r, after, "messages published after a long outage, on a subscription made before it");
        }
    }

    @Test
    @DisplayName("T45 publishes caught by the stop: a burst published right before the broker stops completes within "
            + "publishTimeout plus grace, each either accepted or failed with BrokerUnavailableException; "
            + "at-least-once: every accepted one is delivered")
    void t45_publishesInFlightAtTheStopAreDeliveredOrHonestlyFailed() {
        Backplane a = open();
        Backplane b = open();
        Recorder onB = subscribe(b, "caught");
        publish(a, "caught", "before");
        onB.awaitCount(1, "a message was not delivered before the outage");
        List<String> burst = numbered("burst-", 200);
        List<CompletableFuture<Position>> futures = new ArrayList<>();
        for (String text : burst) {
            futures.add(a.publish("caught", utf8(text)));
        }
        stopBroker();
        long deadline = System.nanoTime() + KitTimeouts.publish().plus(KitTimeouts.grace()).toNanos();
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            Outcome<Position> outcome = outcome(futures.get(i), deadline);
            assertThat(outcome.done()).as("publish future of '%s', made right before the broker stopped, completed "
                    + "within publishTimeout %s + grace %s (it hangs)", burst.get(i), KitTimeouts.publish(),
                    KitTimeouts.grace()).isTrue();
            if (outcome.failure() == null) {
                accepted.add(burst.get(i));
            } else {
                assertThat(outcome.failure()).as("failure of a publish caught by the broker's stop")
                        .isInstanceOf(BrokerUnavailableException.class);
            }
        }
        quietPeriod(); // a restart takes a while: what was only queued for the broker meets it down
        startBroker();
        if (capabilities().atLeastOnce()) {
            onB.awaitTexts(accepted, KitTimeouts.recovery(), "a publish reported accepted right before the broker "
                    + "stopped was never delivered: the transport acknowledged a message the broker had not stored");
        }
    }
}
