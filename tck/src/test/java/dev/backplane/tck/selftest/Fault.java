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
    NO_GAP("noGap", c -> new AtMostOnceMemory(c.memory(c.prefix()), c.outages, false, true)),

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
    REDELIVER_AT_MOST_ONCE("redeliverAtMostOnce", c -> new AtMostOnceMemory(c.memory(c.prefix()), c.outages, true, false)),

    // callbacks and flow control
    ONE_CALLBACK_THREAD("oneCallbackThread", c -> new CallbackFaults.OneCallbackThread(c.correct())),
    ACK_ON_RECEIPT("ackOnReceipt", c -> new CallbackFaults.AckOnReceipt(c.correct())),
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
