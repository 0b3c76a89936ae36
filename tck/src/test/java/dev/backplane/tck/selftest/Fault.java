package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The ways {@code faulty://} backplanes are broken, by the value of their {@code fault} option. */
enum Fault {
    NONE("none", FaultyBackplaneProvider.Context::correct),

    // delivery
    DROP("drop", c -> new DeliveryFaults.Drop(c.correct())),
    DUPLICATE("duplicate", c -> new DeliveryFaults.Duplicate(c.correct())),
    REORDER("reorder", c -> new DeliveryFaults.Reorder(c.correct())),
    LEAK_CHANNEL("leakChannel", c -> new DeliveryFaults.LeakToPrefixChannels(c.correct())),
    LEAK_PREFIX("leakPrefix", c -> c.correctOnPrefix("shared")),
    MANGLE_BYTES("mangleBytes", c -> new DeliveryFaults.MangleThroughUtf8(c.correct())),
    RETAIN_PUBLISHED_ARRAY("retainPublishedArray", c -> new DeliveryFaults.RetainPublishedArray(c.correct())),
    SHARE_DELIVERED_ARRAY("shareDeliveredArray", c -> new DeliveryFaults.ShareDeliveredArray(c.correct())),

    // calls
    LENIENT_NAMES("lenientNames", c -> new CallFaults.LenientNames(c.correct())),
    NULL_AS_EMPTY("nullAsEmpty", c -> new CallFaults.NullAsEmpty(c.correct())),
    OVERSIZE("oversize", c -> new CallFaults.Oversize(c.correct())),
    EARLY_SUBSCRIBE("earlySubscribe", c -> new CallFaults.EarlySubscribe(c.correct())),
    DELIVER_AFTER_UNSUBSCRIBE("deliverAfterUnsubscribe", c -> new CallFaults.DeliverAfterUnsubscribe(c.correct())),
    UNSUBSCRIBE_ALL("unsubscribeAll", c -> new CallFaults.UnsubscribeAll(c.correct())),
    NEVER_ACKNOWLEDGE_PUBLISH("neverAcknowledgePublish", c -> new CallFaults.NeverAcknowledgePublish(c.correct())),
    STOP_ON_THROW("stopOnThrow", c -> new CallFaults.StopOnThrow(c.correct())),
    CLOSE_KEEPS_SUBSCRIPTIONS("closeKeepsSubscriptions", c -> new CallFaults.CloseKeepsSubscriptions(c.correct())),
    CLOSED_SILENTLY("closedSilently", c -> new CallFaults.ClosedSilently(c.correct())),
    PENDING_ON_CLOSE("pendingOnClose", c -> new CallFaults.PendingOnClose(c.correct())),

    // outages
    HANG_ON_OUTAGE("hangOnOutage", c -> new OutageFaults.HangOnOutage(c.correct(), c.outages)),
    ACK_THEN_LOSE("ackThenLose", c -> new OutageFaults.AckThenLose(c.correct(), c.outages)),
    NO_RESUBSCRIBE("noResubscribe", c -> new OutageFaults.NoResubscribe(c.correct(), c.outages)),
    RESUME_FROM_LATEST("resumeFromLatest", c -> new OutageFaults.ResumeFromLatest(c.correct(), c.outages)),
    NO_GAP("noGap", c -> new AtMostOnceMemory(c.memory(c.prefix()), c.outages, AtMostOnceMemory.Gaps.NONE, true)),

    // replay and ack
    FAKE_REPLAY("fakeReplay", c -> new ReplayAndAckFaults.FakeReplay(c.correct())),
    INCLUSIVE_REPLAY("inclusiveReplay", c -> new ReplayAndAckFaults.InclusiveReplay(c.correct())),
    SEAM_GAP("seamGap", c -> new ReplayAndAckFaults.SeamGap(c.correct())),
    FOREIGN_POSITION_AS_EARLIEST("foreignPositionAsEarliest",
            c -> new ReplayAndAckFaults.ForeignPositionAsEarliest(c.correct())),
    REPLAY_NOT_REFUSED("replayNotRefused", c -> new NoReplayMemory(c.memory(c.prefix()), false)),
    NO_REDELIVERY("noRedelivery", c -> new ReplayAndAckFaults.NoRedelivery(c.correct())),
    IGNORE_ACK("ignoreAck", c -> new ReplayAndAckFaults.IgnoreAck(c.correct())),
    ACK_CLOCK_AT_ENQUEUE("ackClockAtEnqueue", c -> new ReplayAndAckFaults.AckClockAtEnqueue(c.correct())),
    REDELIVER_AT_MOST_ONCE("redeliverAtMostOnce", c -> new AtMostOnceMemory(c.memory(c.prefix()), c.outages,
            AtMostOnceMemory.Gaps.PER_SUBSCRIPTION, false)),
    ACK_AFTER_CLOSE_THROWS("ackAfterCloseThrows", c -> new GapAndAckFaults.AckAfterCloseThrows(c.correct())),
    STICKY_REDELIVERED("stickyRedelivered", c -> new GapAndAckFaults.StickyRedelivered(c.correct())),
    REDELIVER_SCRIBBLED_ARRAY("redeliverScribbledArray", c -> new GapAndAckFaults.RedeliverScribbledArray(c.correct())),

    // naming, fan-out width, order across channels, payloads
    FAN_OUT_CAP("fanOutCap", c -> new NamingAndPayloadFaults.FanOutCap(c.correct(), c.bus + "/" + c.prefix())),
    INTERLEAVE_REORDER("interleaveReorder", c -> new NamingAndPayloadFaults.InterleaveReorder(c.correct())),
    ESCAPE_COLLISION("escapeCollision", c -> new NamingAndPayloadFaults.EscapeCollision(c.correct())),
    TRUNCATED_PREFIX("truncatedPrefix", c -> c.correctOnPrefix(c.prefix().substring(0, Math.min(40, c.prefix().length())))),
    HISTORY_IGNORES_PREFIX("historyIgnoresPrefix",
            c -> new NamingAndPayloadFaults.HistoryIgnoresPrefix(c.correct(), c.memory("shared-history"))),
    FOLD_IDENTICAL("foldIdentical", c -> new NamingAndPayloadFaults.FoldIdentical(c.correct())),
    SHORT_LAST_CHUNK("shortLastChunk", c -> new NamingAndPayloadFaults.ShortLastChunk(c.correct())),

    // unsubscribing and resources
    CLOSE_DURING_CALL_IGNORED("closeDuringCallIgnored", c -> new LifecycleFaults.CloseDuringCallIgnored(c.correct())),
    LATE_UNSUBSCRIBE("lateUnsubscribe", c -> new LifecycleFaults.LateUnsubscribe(c.correct())),
    THREAD_PER_SUBSCRIPTION("threadPerSubscription", c -> new LifecycleFaults.ThreadPerSubscription(c.correct())),
    LEAK_THREAD_ON_CLOSE("leakThreadOnClose", c -> new LifecycleFaults.LeakThreadOnClose(c.correct())),
    SUBSCRIPTION_PER_SUBSCRIBER("subscriptionPerSubscriber",
            c -> new LifecycleFaults.SubscriptionPerSubscriber(c.correct())),
    LEAK_CONNECTION("leakConnection",
            c -> new LifecycleFaults.LeakConnection(c.correct(), c.intOption(FaultyBackplaneProvider.FAKE_BROKER))),

    // restarts
    BLOCKING_PUBLISH_ON_OUTAGE("blockingPublishOnOutage",
            c -> new RestartFaults.BlockingPublishOnOutage(c.correct(), c.outages)),
    DOUBLE_RESUBSCRIBE("doubleResubscribe", c -> new RestartFaults.DoubleResubscribe(c.correct(), c.outages)),
    REPLAY_AFTER_RESTART("replayAfterRestart", c -> new RestartFaults.ReplayAfterRestart(c.correct(), c.outages)),
    GIVE_UP_AFTER_LONG_OUTAGE("giveUpAfterLongOutage",
            c -> new RestartFaults.GiveUpAfterLongOutage(c.correct(), c.outages, c.publishTimeout())),
    ACK_BEFORE_SEND("ackBeforeSend", c -> new RestartFaults.AckBeforeSend(c.correct())),

    // gaps and replay from the newest position
    GAP_TO_FIRST_SUBSCRIPTION_ONLY("gapToFirstSubscriptionOnly", c -> new AtMostOnceMemory(c.memory(c.prefix()),
            c.outages, AtMostOnceMemory.Gaps.FIRST_SUBSCRIPTION_ONLY, true)),
    GAP_NAMES_FIRST_CHANNEL("gapNamesFirstChannel", c -> new AtMostOnceMemory(c.memory(c.prefix()), c.outages,
            AtMostOnceMemory.Gaps.FIRST_CHANNEL_TO_ALL, true)),
    STOP_ON_GAP_THROW("stopOnGapThrow", c -> new GapAndAckFaults.StopOnGapThrow(c.correct())),
    IGNORE_GAPS("ignoreGaps", c -> new GapAndAckFaults.IgnoreGaps(c.correct())),
    SILENT_BACKLOG_DROP("silentBacklogDrop", c -> new GapAndAckFaults.SilentBacklogDrop(c.correct())),
    NEWEST_INCLUSIVE("newestInclusive", c -> new GapAndAckFaults.NewestInclusive(c.correct(), c.bus + "/" + c.prefix())),

    // callbacks and slow subscribers
    ONE_CALLBACK_THREAD("oneCallbackThread", c -> new CallbackFaults.OneCallbackThread(c.correct())),
    ONE_DELIVERY_QUEUE("oneDeliveryQueue", c -> new CallbackFaults.OneDeliveryQueue(c.correct())),
    SILENT_BEYOND_THE_END("silentBeyondTheEnd", c -> new CallbackFaults.SilentBeyondTheEnd(c.correct())),

    // operations: connection events and health
    SILENT_OUTAGE("silentOutage", c -> new OperationsFaults.SilentOutage(c.correct())),
    UP_WHILE_DOWN("upWhileDown", c -> new OperationsFaults.UpWhileDown(c.correct())),
    STUCK_DOWN("stuckDown", c -> new OperationsFaults.StuckDown(c.correct()));

    private final String option;
    private final Function<FaultyBackplaneProvider.Context, Backplane> factory;

    Fault(String option, Function<FaultyBackplaneProvider.Context, Backplane> factory) {
        this.option = option;
        this.factory = factory;
    }

    /** The value of the {@code fault} option that selects this fault. */
    String option() {
        return option;
    }

    Backplane create(FaultyBackplaneProvider.Context context) {
        return factory.apply(context);
    }

    static Fault named(String option) {
        return Arrays.stream(values()).filter(f -> f.option.equals(option)).findFirst().orElseThrow(() ->
                new BackplaneConfigurationException("unknown fault '" + option + "'; known faults: "
                        + Arrays.stream(values()).map(Fault::option).collect(Collectors.joining(", "))));
    }
}
