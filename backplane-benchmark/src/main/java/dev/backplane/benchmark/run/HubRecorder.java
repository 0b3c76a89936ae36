package dev.backplane.benchmark.run;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * What the connections of a hub workload received in one run. Send {@code seq} goes to group
 * {@code seq % groups}; each connection is in one group, so it expects that group's sends in
 * order. Its sink calls are sequential, so per-connection state needs no lock; the totals and the
 * latency recorder are shared by every sink thread.
 */
final class HubRecorder {

    private final int run;
    private final int groups;
    private final int[] groupOf;
    private final int[] last;
    private final LongAdder unique = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder breaks = new LongAdder();
    private final LongAdder strays = new LongAdder();
    private final AtomicLong lastReceive = new AtomicLong();
    private final Recorder latency = new Recorder(60_000_000_000L, 3);

    HubRecorder(int run, int groups, int[] groupOf) {
        this.run = run;
        this.groups = groups;
        this.groupOf = groupOf;
        this.last = new int[groupOf.length];
        java.util.Arrays.fill(last, -1);
    }

    /** Records one message to connection {@code connection}: its arguments are {@code [run,seq,intendedNanos]}. */
    void record(int connection, byte[] argumentsJson, long nowNanos) {
        long[] values = parse(argumentsJson);
        if (values == null || values[0] != run) {
            strays.increment();
            return;
        }
        int seq = (int) values[1];
        int previous = last[connection];
        if (seq <= previous) {
            duplicates.increment();
            return;
        }
        int expected = previous < 0 ? groupOf[connection] : previous + groups;
        if (seq != expected) {
            breaks.increment();
        }
        last[connection] = seq;
        unique.increment();
        latency.recordValue(Math.min(60_000_000_000L, Math.max(0, nowNanos - values[2])));
        lastReceive.accumulateAndGet(nowNanos, Math::max);
    }

    long unique() {
        return unique.sum();
    }

    long duplicates() {
        return duplicates.sum();
    }

    long breaks() {
        return breaks.sum();
    }

    long lastReceiveNanos() {
        return lastReceive.get();
    }

    org.HdrHistogram.Histogram latency() {
        return latency.getIntervalHistogram();
    }

    /** The three whole numbers of {@code [a,b,c]}, or null if the text is not that. */
    static long[] parse(byte[] json) {
        long[] values = new long[3];
        int index = 0;
        int i = 0;
        if (json.length < 7 || json[i++] != '[') {
            return null;
        }
        while (index < 3) {
            long v = 0;
            int digits = 0;
            while (i < json.length && json[i] >= '0' && json[i] <= '9') {
                v = v * 10 + (json[i++] - '0');
                digits++;
            }
            if (digits == 0 || i >= json.length) {
                return null;
            }
            values[index++] = v;
            byte separator = json[i++];
            if (separator != (index == 3 ? ']' : ',')) {
                return null;
            }
        }
        return values;
    }

    /** The arguments of send {@code seq}. */
    static byte[] arguments(int run, int seq, long intendedNanos) {
        return ("[" + run + "," + seq + "," + intendedNanos + "]").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
