package dev.backplane.benchmark.measure;

import java.util.BitSet;
import org.HdrHistogram.Histogram;

/**
 * What one subscribing node received in one run: each message once (the rest are duplicates),
 * its latency from its intended send time into an HdrHistogram, and breaks in the sequence of
 * each publisher on each channel (a message that is not the one after the previous on its
 * channel: a loss or a reordering). Messages of another run (late ones from the run before)
 * are counted as strays and otherwise ignored. Thread-safe: a node may receive on several threads.
 */
public final class NodeRecorder {

    /** Latencies up to a minute, in nanoseconds, with three significant digits. */
    static final long HIGHEST_NANOS = 60_000_000_000L;

    private final int run;
    private final int channels;
    private final BitSet[] seen;
    private final int[][] lastOnChannel;
    private final Histogram latency = new Histogram(HIGHEST_NANOS, 3);
    private long unique;
    private long duplicates;
    private long breaks;
    private long strays;
    private long lastReceiveNanos;

    /**
     * @param run the run number in the payloads this recorder counts
     * @param publishers how many publishers send
     * @param channels over how many channels each publisher spreads its messages, round robin
     */
    public NodeRecorder(int run, int publishers, int channels) {
        this.run = run;
        this.channels = channels;
        this.seen = new BitSet[publishers];
        this.lastOnChannel = new int[publishers][channels];
        for (int p = 0; p < publishers; p++) {
            seen[p] = new BitSet();
            java.util.Arrays.fill(lastOnChannel[p], -1);
        }
    }

    /** Records one received payload, received at {@code nowNanos}. */
    public synchronized void record(byte[] payload, long nowNanos) {
        if (payload.length < Payloads.HEADER || Payloads.run(payload) != run) {
            strays++;
            return;
        }
        int publisher = Payloads.publisher(payload);
        int seq = Payloads.seq(payload);
        if (publisher >= seen.length || seq < 0) {
            strays++;
            return;
        }
        if (seen[publisher].get(seq)) {
            duplicates++;
            return;
        }
        seen[publisher].set(seq);
        unique++;
        int channel = seq % channels;
        int last = lastOnChannel[publisher][channel];
        int expected = last < 0 ? channel : last + channels;
        if (seq != expected) {
            breaks++;
        }
        if (seq > last) {
            lastOnChannel[publisher][channel] = seq;
        }
        latency.recordValue(Math.min(HIGHEST_NANOS, Math.max(0, nowNanos - Payloads.intendedNanos(payload))));
        lastReceiveNanos = Math.max(lastReceiveNanos, nowNanos);
    }

    /** Distinct messages received. */
    public synchronized long unique() {
        return unique;
    }

    public synchronized long duplicates() {
        return duplicates;
    }

    /** Messages that were not the next one of their publisher on their channel. */
    public synchronized long breaks() {
        return breaks;
    }

    public synchronized long strays() {
        return strays;
    }

    /** When the last distinct message arrived, or 0. */
    public synchronized long lastReceiveNanos() {
        return lastReceiveNanos;
    }

    /** A copy of the latencies recorded so far. */
    public synchronized Histogram latency() {
        return latency.copy();
    }
}
