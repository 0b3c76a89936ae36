package dev.backplane.tck.selftest;

/**
 * One kit per {@code faulty://} variant, for {@link KitCatchesFaultsTest} and
 * {@link ConformingVariantsTest} to run through the JUnit Platform test kit. Nested, so that
 * surefire does not run them on its own (they are meant to fail).
 */
final class FaultyKits {

    private FaultyKits() {
    }

    /** Correct, at-most-once without replay: the shape of Redis pub/sub or core NATS. */
    static class AtMostOnceNoReplay extends FaultyKit {
        AtMostOnceNoReplay() {
            super("guarantee=atMostOnce&replay=false");
        }
    }

    /** Correct, at-least-once without replay. */
    static class AtLeastOnceNoReplay extends FaultyKit {
        AtLeastOnceNoReplay() {
            super("replay=false");
        }
    }

    static class Drop extends FaultyKit {
        Drop() {
            super("fault=drop");
        }
    }

    static class Duplicate extends FaultyKit {
        Duplicate() {
            super("fault=duplicate");
        }
    }

    static class Reorder extends FaultyKit {
        Reorder() {
            super("fault=reorder");
        }
    }

    static class LeakChannel extends FaultyKit {
        LeakChannel() {
            super("fault=leakChannel");
        }
    }

    static class LeakPrefix extends FaultyKit {
        LeakPrefix() {
            super("fault=leakPrefix");
        }
    }

    static class MangleBytes extends FaultyKit {
        MangleBytes() {
            super("fault=mangleBytes");
        }
    }

    static class RetainPublishedArray extends FaultyKit {
        RetainPublishedArray() {
            super("fault=retainPublishedArray");
        }
    }

    static class ShareDeliveredArray extends FaultyKit {
        ShareDeliveredArray() {
            super("fault=shareDeliveredArray");
        }
    }

    static class LenientNames extends FaultyKit {
        LenientNames() {
            super("fault=lenientNames");
        }
    }

    static class NullAsEmpty extends FaultyKit {
        NullAsEmpty() {
            super("fault=nullAsEmpty");
        }
    }

    static class Oversize extends FaultyKit {
        Oversize() {
            super("fault=oversize");
        }
    }

    static class EarlySubscribe extends FaultyKit {
        EarlySubscribe() {
            super("fault=earlySubscribe");
        }
    }

    static class DeliverAfterUnsubscribe extends FaultyKit {
        DeliverAfterUnsubscribe() {
            super("fault=deliverAfterUnsubscribe");
        }
    }

    static class UnsubscribeAll extends FaultyKit {
        UnsubscribeAll() {
            super("fault=unsubscribeAll");
        }
    }

    static class NeverAcknowledgePublish extends FaultyKit {
        NeverAcknowledgePublish() {
            super("fault=neverAcknowledgePublish");
        }
    }

    static class StopOnThrow extends FaultyKit {
        StopOnThrow() {
            super("fault=stopOnThrow");
        }
    }

    static class CloseKeepsSubscriptions extends FaultyKit {
        CloseKeepsSubscriptions() {
            super("fault=closeKeepsSubscriptions");
        }
    }

    static class ClosedSilently extends FaultyKit {
        ClosedSilently() {
            super("fault=closedSilently");
        }
    }

    static class PendingOnClose extends FaultyKit {
        PendingOnClose() {
            super("fault=pendingOnClose");
        }
    }

    static class HangOnOutage extends FaultyKit {
        HangOnOutage() {
            super("fault=hangOnOutage");
        }
    }

    static class AckThenLose extends FaultyKit {
        AckThenLose() {
            super("fault=ackThenLose");
        }
    }

    static class NoResubscribe extends FaultyKit {
        NoResubscribe() {
            super("fault=noResubscribe");
        }
    }

    static class ResumeFromLatest extends FaultyKit {
        ResumeFromLatest() {
            super("fault=resumeFromLatest");
        }
    }

    static class NoGap extends FaultyKit {
        NoGap() {
            super("fault=noGap");
        }
    }

    static class FakeReplay extends FaultyKit {
        FakeReplay() {
            super("fault=fakeReplay");
        }
    }

    static class InclusiveReplay extends FaultyKit {
        InclusiveReplay() {
            super("fault=inclusiveReplay");
        }
    }

    static class SeamGap extends FaultyKit {
        SeamGap() {
            super("fault=seamGap");
        }
    }

    static class ForeignPositionAsEarliest extends FaultyKit {
        ForeignPositionAsEarliest() {
            super("fault=foreignPositionAsEarliest");
        }
    }

    static class ReplayNotRefused extends FaultyKit {
        ReplayNotRefused() {
            super("fault=replayNotRefused");
        }
    }

    static class NoRedelivery extends FaultyKit {
        NoRedelivery() {
            super("fault=noRedelivery");
        }
    }

    static class IgnoreAck extends FaultyKit {
        IgnoreAck() {
            super("fault=ignoreAck");
        }
    }

    static class AckClockAtEnqueue extends FaultyKit {
        AckClockAtEnqueue() {
            super("fault=ackClockAtEnqueue");
        }
    }

    static class RedeliverAtMostOnce extends FaultyKit {
        RedeliverAtMostOnce() {
            super("fault=redeliverAtMostOnce");
        }
    }
    static class StickyRedelivered extends FaultyKit {
        StickyRedelivered() {
            super("fault=stickyRedelivered");
        }
    }

    static class RedeliverScribbledArray extends FaultyKit {
        RedeliverScribbledArray() {
            super("fault=redeliverScribbledArray");
        }
    }

    static class FanOutCap extends FaultyKit {
        FanOutCap() {
            super("fault=fanOutCap");
        }
    }

    static class InterleaveReorder extends FaultyKit {
        InterleaveReorder() {
            super("fault=interleaveReorder");
        }
    }

    static class EscapeCollision extends FaultyKit {
        EscapeCollision() {
            super("fault=escapeCollision");
        }
    }

    static class TruncatedPrefix extends FaultyKit {
        TruncatedPrefix() {
            super("fault=truncatedPrefix");
        }
    }

    static class HistoryIgnoresPrefix extends FaultyKit {
        HistoryIgnoresPrefix() {
            super("fault=historyIgnoresPrefix");
        }
    }

    static class FoldIdentical extends FaultyKit {
        FoldIdentical() {
            super("fault=foldIdentical");
        }
    }

    static class ShortLastChunk extends FaultyKit {
        ShortLastChunk() {
            super("fault=shortLastChunk");
        }
    }

    static class CloseDuringCallIgnored extends FaultyKit {
        CloseDuringCallIgnored() {
            super("fault=closeDuringCallIgnored");
        }
    }

    static class LateUnsubscribe extends FaultyKit {
        LateUnsubscribe() {
            super("fault=lateUnsubscribe");
        }
    }

    static class ThreadPerSubscription extends FaultyKit {
        ThreadPerSubscription() {
            super("fault=threadPerSubscription");
        }
    }

    static class LeakThreadOnClose extends FaultyKit {
        LeakThreadOnClose() {
            super("fault=leakThreadOnClose");
        }
    }

    static class BlockingPublishOnOutage extends FaultyKit {
        BlockingPublishOnOutage() {
            super("fault=blockingPublishOnOutage");
        }
    }

    static class DoubleResubscribe extends FaultyKit {
        DoubleResubscribe() {
            super("fault=doubleResubscribe");
        }
    }

    static class ReplayAfterRestart extends FaultyKit {
        ReplayAfterRestart() {
            super("fault=replayAfterRestart");
        }
    }

    static class GiveUpAfterLongOutage extends FaultyKit {
        GiveUpAfterLongOutage() {
            super("fault=giveUpAfterLongOutage");
        }
    }

    static class AckBeforeSend extends FaultyKit {
        AckBeforeSend() {
            super("fault=ackBeforeSend");
        }
    }

    static class GapToFirstSubscriptionOnly extends FaultyKit {
        GapToFirstSubscriptionOnly() {
            super("fault=gapToFirstSubscriptionOnly");
        }
    }

    static class GapNamesFirstChannel extends FaultyKit {
        GapNamesFirstChannel() {
            super("fault=gapNamesFirstChannel");
        }
    }

    static class StopOnGapThrowAtMostOnce extends FaultyKit {
        StopOnGapThrowAtMostOnce() {
            super("fault=stopOnGapThrow&guarantee=atMostOnce");
        }
    }

    static class StopOnGapThrow extends FaultyKit {
        StopOnGapThrow() {
            super("fault=stopOnGapThrow");
        }
    }

    static class IgnoreGaps extends FaultyKit {
        IgnoreGaps() {
            super("fault=ignoreGaps");
        }
    }

    static class SilentBacklogDrop extends FaultyKit {
        SilentBacklogDrop() {
            super("fault=silentBacklogDrop");
        }

        /**
         * The default retention (10,000) holds the whole burst: with a retention of 10, a delivery path slowed by a
         * loaded machine falls behind the log and the transport reports a genuine gap, which would hide the fault.
         */
        @Override
        protected java.util.Optional<java.util.Map<String, String>> limitedRetention(int messages) {
            return java.util.Optional.empty();
        }
    }

    static class NewestInclusive extends FaultyKit {
        NewestInclusive() {
            super("fault=newestInclusive");
        }
    }

    static class AckAfterCloseThrows extends FaultyKit {
        AckAfterCloseThrows() {
            super("fault=ackAfterCloseThrows");
        }
    }

    static class SubscriptionPerSubscriber extends FaultyKit {
        SubscriptionPerSubscriber() {
            super("fault=subscriptionPerSubscriber");
        }
    }

    /** A backplane that leaves a connection to its broker open after close(); the broker is a bare socket. */
    static class LeakConnection extends FaultyKit {
        LeakConnection() {
            super("fault=leakConnection&fakeBroker=" + FakeBroker.PORT);
        }

        @Override
        protected java.util.Optional<java.net.InetSocketAddress> brokerAddress() {
            return java.util.Optional.of(new java.net.InetSocketAddress("127.0.0.1", FakeBroker.PORT));
        }
    }

    static class OneCallbackThread extends FaultyKit {
        OneCallbackThread() {
            super("fault=oneCallbackThread");
        }
    }

    static class OneDeliveryQueue extends FaultyKit {
        OneDeliveryQueue() {
            super("fault=oneDeliveryQueue");
        }
    }

    static class SilentBeyondTheEnd extends FaultyKit {
        SilentBeyondTheEnd() {
            super("fault=silentBeyondTheEnd");
        }
    }

    static class SilentOutage extends FaultyKit {
        SilentOutage() {
            super("fault=silentOutage");
        }
    }

    static class UpWhileDown extends FaultyKit {
        UpWhileDown() {
            super("fault=upWhileDown");
        }
    }

    static class StuckDown extends FaultyKit {
        StuckDown() {
            super("fault=stuckDown");
        }
    }
}
