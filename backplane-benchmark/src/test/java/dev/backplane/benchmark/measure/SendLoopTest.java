package dev.backplane.benchmark.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SendLoopTest {

    private static final long MS = 1_000_000;

    /** A clock that moves only when the loop pauses or a send takes time. */
    private static final class ManualTicker implements Ticker {
        long now = 1_000 * MS;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void pause(long nanos) {
            now += nanos;
        }
    }

    @Test
    void aStalledSenderCannotHideItsDelayLatencyCountsFromTheIntendedSendTime() {
        ManualTicker ticker = new ManualTicker();
        NodeRecorder received = new NodeRecorder(1, 1, 1);
        Histogram fromActualSend = new Histogram(NodeRecorder.HIGHEST_NANOS, 3);
        // 1000 messages per second for one second; message 100 takes 200 ms to send (a blocked call, a GC pause).
        SendLoop loop = new SendLoop(ticker, 1000, 1_000_000, () -> 0, Long.MAX_VALUE);

        SendLoop.Outcome outcome = loop.run(1_000 * MS, (seq, intended) -> {
            long actual = ticker.now;
            ticker.now += seq == 100 ? 200 * MS : 1_000;
            // Delivered the moment the send returns.
            received.record(Payloads.encode(16, 1, 0, seq, intended), ticker.now);
            fromActualSend.recordValue(ticker.now - actual);
        });

        assertThat(outcome.sent()).isEqualTo(1000);
        assertThat(outcome.stalled()).isFalse();
        Histogram latency = received.latency();
        // Messages 100..299 were due during the stall and went out at its end: 200 ms down to 0 ms late.
        assertThat(latency.getCountBetweenValues(100 * MS, 201 * MS)).isCloseTo(100, within(2L));
        assertThat(latency.getMaxValue() / (double) MS).isCloseTo(200, within(1.0));
        assertThat(latency.getValueAtPercentile(95) / (double) MS).isCloseTo(150, within(3.0));
        // Timed from the actual send, the stall would look like one slow message in a thousand.
        assertThat(fromActualSend.getValueAtPercentile(95)).isLessThan(MS);
        assertThat(fromActualSend.getCountBetweenValues(100 * MS, 201 * MS)).isEqualTo(1);
    }

    @Test
    void atAFixedRateMessagesAreDueAtEvenIntervals() {
        ManualTicker ticker = new ManualTicker();
        long start = ticker.now;
        long[] due = new long[3];
        SendLoop loop = new SendLoop(ticker, 100, 10, () -> 0, Long.MAX_VALUE);

        SendLoop.Outcome outcome = loop.run(30 * MS, (seq, intended) -> due[seq] = intended);

        assertThat(outcome.sent()).isEqualTo(3);
        assertThat(due).containsExactly(start, start + 10 * MS, start + 20 * MS);
    }

    @Test
    void aFullWindowWithNothingDeliveredEndsTheRunAsStalled() {
        ManualTicker ticker = new ManualTicker();
        long[] sent = {0};
        // Nothing is ever delivered: in flight is everything sent.
        SendLoop loop = new SendLoop(ticker, 0, 5, () -> sent[0], 3_000 * MS);

        SendLoop.Outcome outcome = loop.run(60_000 * MS, (seq, intended) -> sent[0]++);

        assertThat(outcome.sent()).isEqualTo(5);
        assertThat(outcome.stalled()).isTrue();
        assertThat(outcome.seconds()).isCloseTo(3.0, within(0.01));
    }
}
