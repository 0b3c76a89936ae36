package dev.backplane.tck.selftest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.backplane.spi.DaemonThreads;
import dev.backplane.tck.BackplaneTck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every rule of the transport kit can fail: each deliberately broken {@code faulty://} backplane
 * must fail the rules it breaks, with a message naming the problem. Only the targeted rules run,
 * with timeouts scaled down, since a rule that is expected to fail would otherwise wait out its
 * full timeout.
 */
class KitCatchesFaultsTest {

    /**
     * Timeout scale for the broken backplanes. The memory bus answers in microseconds, so a rule
     * waiting for something that comes does not come near even the scaled timeouts; each failure
     * is recognised by its message, so a rule that timed out for another reason is not counted.
     */
    static final double SCALE = 0.3;

    /** For faults that only show after a broker restart, waited for up to the recovery time. */
    static final double OUTAGE_SCALE = 0.15;

    /** A broken backplane and, for each rule it must fail, a part of the expected failure message. */
    record Case(String fault, Class<? extends BackplaneTck> kit, double scale, Map<String, String> fails) {
    }

    private static Case fault(String fault, Class<? extends BackplaneTck> kit, String... ruleAndMessage) {
        return fault(fault, kit, SCALE, ruleAndMessage);
    }

    private static Case outageFault(String fault, Class<? extends BackplaneTck> kit, String... ruleAndMessage) {
        return fault(fault, kit, OUTAGE_SCALE, ruleAndMessage);
    }

    private static Case fault(String fault, Class<? extends BackplaneTck> kit, double scale, String... ruleAndMessage) {
        Map<String, String> fails = new LinkedHashMap<>();
        for (int i = 0; i < ruleAndMessage.length; i += 2) {
            fails.put(ruleAndMessage[i], ruleAndMessage[i + 1]);
        }
        return new Case(fault, kit, scale, fails);
    }

    /** The fault to failing-rule matrix; tck/README.md shows the same table. */
    static final List<Case> CASES = List.of(
            fault("drop", FaultyKits.Drop.class,
                    "T01", "a message did not reach every subscription",
                    "T07", "not every message published concurrently was delivered",
                    "T14", "an acknowledged message was not delivered"),
            fault("duplicate", FaultyKits.Duplicate.class,
                    "T01", "exactly once on every subscription",
                    "T07", "each exactly once"),
            fault("reorder", FaultyKits.Reorder.class,
                    "T04", "not in publish order"),
            fault("leakChannel", FaultyKits.LeakChannel.class,
                    "T02", "leak between channels",
                    "T08", "leak between channels"),
            fault("leakPrefix", FaultyKits.LeakPrefix.class,
                    "T03", "leak between prefixes"),
            fault("mangleBytes", FaultyKits.MangleBytes.class,
                    "T05", "arrived changed"),
            fault("retainPublishedArray", FaultyKits.RetainPublishedArray.class,
                    "T06", "kept a reference to an array it does not own"),
            fault("shareDeliveredArray", FaultyKits.ShareDeliveredArray.class,
                    "T06", "kept a reference to an array it does not own"),
            fault("lenientNames", FaultyKits.LenientNames.class,
                    "T09", "must be refused at the call with IllegalArgumentException"),
            fault("nullAsEmpty", FaultyKits.NullAsEmpty.class,
                    "T10", "must be refused at the call with NullPointerException"),
            fault("oversize", FaultyKits.Oversize.class,
                    "T11", "where maxPayloadBytes is 1024 must be refused at the call"),
            fault("earlySubscribe", FaultyKits.EarlySubscribe.class,
                    "T12", "the subscription was not active when its future completed"),
            fault("deliverAfterUnsubscribe", FaultyKits.DeliverAfterUnsubscribe.class,
                    "T13", "deliveries to a subscription after its close() returned"),
            fault("unsubscribeAll", FaultyKits.UnsubscribeAll.class,
                    "T13", "stopped another subscription of it on the same instance"),
            fault("neverAcknowledgePublish", FaultyKits.NeverAcknowledgePublish.class,
                    "T14", "(it hung)"),
            fault("stopOnThrow", FaultyKits.StopOnThrow.class,
                    "T15", "deliveries stopped after the subscriber threw"),
            fault("closeKeepsSubscriptions", FaultyKits.CloseKeepsSubscriptions.class,
                    "T16", "deliveries to a subscription of an instance after its close() returned"),
            fault("closedSilently", FaultyKits.ClosedSilently.class,
                    "T16", "on a closed backplane must throw IllegalStateException"),
            fault("pendingOnClose", FaultyKits.PendingOnClose.class,
                    "T16", "it was left pending"),
            fault("hangOnOutage", FaultyKits.HangOnOutage.class,
                    "T17", "while the broker was down (it hangs)"),
            outageFault("ackThenLose", FaultyKits.AckThenLose.class,
                    "T17", "reported success while the broker was down",
                    "T20", "lost across the broker restart"),
            outageFault("noResubscribe", FaultyKits.NoResubscribe.class,
                    "T18", "it was not resubscribed without user action",
                    "T20", "lost across the broker restart"),
            outageFault("resumeFromLatest", FaultyKits.ResumeFromLatest.class,
                    "T20", "lost across the broker restart"),
            outageFault("noGap", FaultyKits.NoGap.class,
                    "T19", "did not report onGap after reconnecting"),
            fault("fakeReplay", FaultyKits.FakeReplay.class,
                    "T21", "did not deliver the 5 later retained messages",
                    "T22", "did not deliver the 10 retained messages"),
            fault("inclusiveReplay", FaultyKits.InclusiveReplay.class,
                    "T21", "exclusive of m4 itself"),
            fault("seamGap", FaultyKits.SeamGap.class,
                    "T23", "gap where replay turned into live delivery"),
            fault("foreignPositionAsEarliest", FaultyKits.ForeignPositionAsEarliest.class,
                    "T24", "a position this transport never produced"),
            fault("replayNotRefused", FaultyKits.ReplayNotRefused.class,
                    "T25", "where capabilities declare replay=false"),
            fault("noRedelivery", FaultyKits.NoRedelivery.class,
                    "T26", "an unacknowledged delivery must be delivered again",
                    "T32", "unacknowledged deliveries must stay under the bound"),
            fault("ignoreAck", FaultyKits.IgnoreAck.class,
                    "T26", "must not come a third time"),
            fault("ackClockAtEnqueue", FaultyKits.AckClockAtEnqueue.class,
                    "T28", "must count from hand-over, not from queueing"),
            fault("redeliverAtMostOnce", FaultyKits.RedeliverAtMostOnce.class,
                    "T27", "it must not come again"),
            fault("stickyRedelivered", FaultyKits.StickyRedelivered.class,
                    "T26", "a new message is never flagged redelivered"),
            fault("redeliverScribbledArray", FaultyKits.RedeliverScribbledArray.class,
                    "T26", "a redelivery carries the bytes that were published"),
            fault("fanOutCap", FaultyKits.FanOutCap.class,
                    "T35", "of six subscriptions of one channel"),
            fault("interleaveReorder", FaultyKits.InterleaveReorder.class,
                    "T36", "not in publish order"),
            fault("escapeCollision", FaultyKits.EscapeCollision.class,
                    "T37", "is not one-to-one"),
            fault("truncatedPrefix", FaultyKits.TruncatedPrefix.class,
                    "T03", "leak between prefixes"),
            fault("historyIgnoresPrefix", FaultyKits.HistoryIgnoresPrefix.class,
                    "T38", "leak between prefixes through the retained history"),
            fault("foldIdentical", FaultyKits.FoldIdentical.class,
                    "T39", "folded or dropped repeated messages"),
            fault("shortLastChunk", FaultyKits.ShortLastChunk.class,
                    "T05", "arrived changed"),
            fault("closeDuringCallIgnored", FaultyKits.CloseDuringCallIgnored.class,
                    "T40", "close() having been called while its subscriber was inside onMessage"),
            fault("lateUnsubscribe", FaultyKits.LateUnsubscribe.class,
                    "T41", "the unsubscribe of the closed one took it along"),
            fault("threadPerSubscription", FaultyKits.ThreadPerSubscription.class,
                    "T42", "threads must not grow with subscriptions"),
            fault("leakThreadOnClose", FaultyKits.LeakThreadOnClose.class,
                    "T42", "a thread left running after close"),
            fault("leakConnection", FaultyKits.LeakConnection.class,
                    "T42", "a connection left open after close"),
            outageFault("blockingPublishOnOutage", FaultyKits.BlockingPublishOnOutage.class,
                    "T17", "a request thread would hang on it"),
            outageFault("doubleResubscribe", FaultyKits.DoubleResubscribe.class,
                    "T18", "a subscription resubscribed twice gets each of them twice",
                    "T20", "a subscription resubscribed twice gets each of them twice"),
            outageFault("replayAfterRestart", FaultyKits.ReplayAfterRestart.class,
                    "T43", "must not come again after it"),
            outageFault("giveUpAfterLongOutage", FaultyKits.GiveUpAfterLongOutage.class,
                    "T44", "it was not resubscribed without user action"),
            outageFault("ackBeforeSend", FaultyKits.AckBeforeSend.class,
                    "T45", "the transport acknowledged a message the broker had not stored"),
            outageFault("gapToFirstSubscriptionOnly", FaultyKits.GapToFirstSubscriptionOnly.class,
                    "T19", "did not report onGap after reconnecting"),
            outageFault("gapNamesFirstChannel", FaultyKits.GapNamesFirstChannel.class,
                    "T19", "exactly one, naming its own channel"),
            outageFault("stopOnGapThrow", FaultyKits.StopOnGapThrowAtMostOnce.class,
                    "T19", "a subscription whose onGap threw stopped receiving"),
            fault("stopOnGapThrow", FaultyKits.StopOnGapThrow.class,
                    "T46", "a subscriber whose onGap threw stopped receiving"),
            fault("ignoreGaps", FaultyKits.IgnoreGaps.class,
                    "T46", "did not report onGap for the messages no longer retained"),
            fault("silentBacklogDrop", FaultyKits.SilentBacklogDrop.class,
                    "T47", "a loss must be reported with onGap, never silent"),
            fault("newestInclusive", FaultyKits.NewestInclusive.class,
                    "T48", "must not be replayed"),
            fault("subscriptionPerSubscriber", FaultyKits.SubscriptionPerSubscriber.class,
                    "T49", "the transport keys subscriptions by their subscriber"),
            fault("ackAfterCloseThrows", FaultyKits.AckAfterCloseThrows.class,
                    "T50", "a handler that finishes late must not fail"),
            fault("oneCallbackThread", FaultyKits.OneCallbackThread.class,
                    "T29", "did not complete (the backplane completes futures on a thread",
                    "T30", "stalled its backplane",
                    "T31", "completes its futures on one thread that user code can hold"),
            fault("oneDeliveryQueue", FaultyKits.OneDeliveryQueue.class,
                    "T33", "was held up by a stuck subscriber"),
            fault("silentBeyondTheEnd", FaultyKits.SilentBeyondTheEnd.class,
                    "T34", "it must say so"),
            outageFault("silentOutage", FaultyKits.SilentOutage.class,
                    "T51", "an operator is not told the broker is gone"),
            outageFault("upWhileDown", FaultyKits.UpWhileDown.class,
                    "T52", "a probe sees a healthy backplane while its broker is gone"),
            outageFault("stuckDown", FaultyKits.StuckDown.class,
                    "T51", "an operator is never told the broker is back",
                    "T52", "after the broker came back"));

    /** How many broken backplanes are checked at once: they mostly wait, so this saves time, not CPU. */
    private static final int PARALLEL_RUNS = 4;

    @TestFactory
    Stream<DynamicTest> eachBrokenBackplaneFailsTheRulesItBreaks() {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_RUNS, new DaemonThreads("kit-selftest"));
        Map<Case, CompletableFuture<Map<String, KitRun.Result>>> runs = new LinkedHashMap<>();
        for (Case c : CASES) {
            runs.put(c, CompletableFuture.supplyAsync(() -> KitRun.run(c.kit(), c.fails().keySet(), c.scale()), pool));
        }
        pool.shutdown();
        return CASES.stream().map(c -> dynamicTest("fault " + c.fault() + " (" + c.kit().getSimpleName() + ") fails "
                + c.fails().keySet(), () -> {
            Map<String, KitRun.Result> results = runs.get(c).get(5, TimeUnit.MINUTES);
            c.fails().forEach((rule, message) -> {
                KitRun.Result result = results.get(rule);
                assertThat(result).as("outcome of %s against fault %s", rule, c.fault()).isNotNull();
                assertThat(result.failed()).as("%s against fault %s must fail; it ended %s", rule, c.fault(), result)
                        .isTrue();
                assertThat(result.message()).as("failure message of %s against fault %s", rule, c.fault())
                        .contains(message);
            });
        }));
    }
}
