package dev.backplane.signalr;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Stateful reconnect, sending side: every sequenced frame sent to one client (types 1 to 5,
 * whether it came from this node or through the backplane) with its sequence id, until the client
 * acknowledges it. Bounded in bytes: past the bound the oldest frames are dropped, and a resume
 * that would need one of them is refused (the client then starts a new connection, and knows it).
 * Not thread-safe: the connection's lock guards it.
 */
final class ReplayBuffer {

    private record Entry(long id, byte[] frame) {
    }

    private final int maxBytes;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextId = 1;
    private long acked;
    private long bytes;

    ReplayBuffer(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Records a frame as sent; returns its sequence id. The newest frame is always kept. */
    long add(byte[] frame) {
        long id = nextId++;
        entries.addLast(new Entry(id, frame));
        bytes += frame.length;
        while (bytes > maxBytes && entries.size() > 1) {
            bytes -= entries.removeFirst().frame().length;
        }
        return id;
    }

    /** The client has every frame up to and including {@code sequenceId}. */
    void ack(long sequenceId) {
        acked = Math.max(acked, Math.min(sequenceId, nextId - 1));
        while (!entries.isEmpty() && entries.peekFirst().id() <= acked) {
            bytes -= entries.removeFirst().frame().length;
        }
    }

    /** Whether every frame the client has not acknowledged is still here, so a resume loses nothing. */
    boolean resumable() {
        return entries.isEmpty() ? nextId == acked + 1 : entries.peekFirst().id() <= acked + 1;
    }

    /** The id a resume starts at: the oldest kept frame, or the next id when all were acknowledged. */
    long firstId() {
        return entries.isEmpty() ? nextId : entries.peekFirst().id();
    }

    /** The frames to send again on a resume, oldest first. */
    List<byte[]> unacknowledged() {
        List<byte[]> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(e.frame()));
        return out;
    }

    long bytes() {
        return bytes;
    }
}
