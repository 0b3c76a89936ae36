package dev.backplane.chaos;

import dev.backplane.PublishOutcomeUnknownException;
import dev.backplane.hub.HubContext;
import dev.backplane.hub.Target;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends numbered messages at a fixed rate, each at its intended time (a late one is not made up
 * for by sending the next ones in a burst), and keeps the truth about each: accepted, failed as
 * not sent, or failed with an unknown outcome, and when.
 */
final class Sender {

    /** A send that failed: its number, when it was called and when it failed, and how. */
    record Failure(long seq, long calledMicros, long failedMicros, boolean outcomeUnknown, String message) {
    }

    private final HubContext context;
    private final int rate;
    private final int groups;
    private final int allEvery;
    private final BitSet accepted = new BitSet();
    private final List<Failure> failures = new ArrayList<>();
    private volatile boolean stopped;
    private long sent;

    Sender(HubContext context, int rate, int groups, int allEvery) {
        this.context = context;
        this.rate = rate;
        this.groups = groups;
        this.allEvery = allEvery;
    }

    /** Whether send {@code seq} goes to all connections (one in {@code allEvery}; none for 0). */
    static boolean toAll(long seq, int allEvery) {
        return allEvery > 0 && seq % allEvery == 0;
    }

    /** The target of send {@code seq}: all, or group {@code seq % groups}. */
    static Target targetOf(long seq, int groups, int allEvery) {
        return toAll(seq, allEvery) ? Target.all() : Target.group("g" + (seq % groups));
    }

    /** Whether send {@code seq} targets a client in group {@code group}. */
    static boolean reaches(long seq, int group, int groups, int allEvery) {
        return toAll(seq, allEvery) || seq % groups == group;
    }

    /** Sends until {@link #stop()}; returns how many it sent. */
    long run() {
        long start = System.nanoTime();
        long intervalNanos = 1_000_000_000L / rate;
        for (long seq = 0; !stopped; seq++) {
            long due = start + seq * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            send(seq);
            sent = seq + 1;
        }
        return sent;
    }

    private void send(long seq) {
        long called = WallClock.micros();
        byte[] args = ("[" + seq + "," + called + "]").getBytes(StandardCharsets.US_ASCII);
        try {
            context.sendJson(targetOf(seq, groups, allEvery), "m", args).whenComplete((v, e) -> {
                if (e == null) {
                    synchronized (accepted) {
                        accepted.set((int) seq);
                    }
                } else {
                    failed(seq, called, e);
                }
            });
        } catch (RuntimeException e) {
            failed(seq, called, e);
        }
    }

    private void failed(long seq, long called, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        synchronized (failures) {
            failures.add(new Failure(seq, called, WallClock.micros(), cause instanceof PublishOutcomeUnknownException,
                    String.valueOf(cause.getMessage())));
        }
    }

    void stop() {
        stopped = true;
    }

    BitSet accepted() {
        synchronized (accepted) {
            return (BitSet) accepted.clone();
        }
    }

    List<Failure> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    long sent() {
        return sent;
    }
}
