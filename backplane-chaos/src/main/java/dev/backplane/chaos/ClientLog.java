package dev.backplane.chaos;

import java.util.Arrays;
import java.util.BitSet;

/**
 * What one client of a chaos node received of the driver's numbered sends: which numbers, how
 * many twice, how many behind one it had already seen on the same route (the hub keeps one
 * sender's order per route: sends to all, and sends to the client's group, are two routes), when
 * each arrived, and how long each took from its send. Called from one sink thread at a time.
 */
final class ClientLog {

    private final BitSet received = new BitSet();
    private long duplicates;
    private long reordered;
    private long highestToAll = -1;
    private long highestToGroup = -1;
    private long[] arrivals = new long[1024];
    private int[] latenciesMicros = new int[1024];
    private int count;

    /** A send arrived: its number, its wall-clock send time in microseconds, now in microseconds. */
    synchronized void received(long seq, long sentMicros, long nowMicros, boolean toAllRoute) {
        if (received.get((int) seq)) {
            duplicates++;
            return;
        }
        received.set((int) seq);
        boolean toAll = toAllRoute;
        long highest = toAll ? highestToAll : highestToGroup;
        if (seq < highest) {
            reordered++;
        }
        if (toAll) {
            highestToAll = Math.max(highestToAll, seq);
        } else {
            highestToGroup = Math.max(highestToGroup, seq);
        }
        if (count == arrivals.length) {
            arrivals = Arrays.copyOf(arrivals, count * 2);
            latenciesMicros = Arrays.copyOf(latenciesMicros, count * 2);
        }
        arrivals[count] = nowMicros;
        latenciesMicros[count] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, nowMicros - sentMicros));
        count++;
    }

    synchronized BitSet received() {
        return (BitSet) received.clone();
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long reordered() {
        return reordered;
    }

    synchronized int count() {
        return count;
    }

    /** The first arrival at or after {@code micros}, or -1. */
    synchronized long firstArrivalAfter(long micros) {
        long first = -1;
        for (int i = 0; i < count; i++) {
            if (arrivals[i] >= micros && (first < 0 || arrivals[i] < first)) {
                first = arrivals[i];
            }
        }
        return first;
    }

    /** Send-to-sink latencies of the arrivals between the two wall-clock times, in microseconds. */
    synchronized int[] latenciesBetween(long fromMicros, long toMicros) {
        int[] out = new int[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (arrivals[i] >= fromMicros && arrivals[i] <= toMicros) {
                out[n++] = latenciesMicros[i];
            }
        }
        return Arrays.copyOf(out, n);
    }
}
