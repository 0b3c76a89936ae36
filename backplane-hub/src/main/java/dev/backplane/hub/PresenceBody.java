package dev.backplane.hub;

import java.util.List;

/**
 * The JSON payload of a presence envelope: the sender's liveness settings, and either the changes
 * since its previous presence message ({@code snapshot == null}) or its whole state. A snapshot
 * too large for one message travels in {@code parts} messages with the same presence number, part
 * 0 to {@code parts - 1}, each with a slice of the connections; it applies once all have come.
 *
 * @param heartbeatMillis the sender's heartbeat interval
 * @param missed how many of its heartbeats may be missed before it is declared dead
 * @param events changes since the previous presence message, in order
 * @param snapshot every connection of the sender (or of this part), or null in a delta
 * @param part which part of a split snapshot this is; null for a whole one
 * @param parts how many parts the snapshot has; null for a whole one
 */
record PresenceBody(long heartbeatMillis, int missed, List<Event> events, List<ConnectionState> snapshot,
        Integer part, Integer parts) {

    /** A delta, or a snapshot in one message. */
    PresenceBody(long heartbeatMillis, int missed, List<Event> events, List<ConnectionState> snapshot) {
        this(heartbeatMillis, missed, events, snapshot, null, null);
    }

    /** Whether this is one part of a snapshot split over several messages. */
    boolean isPart() {
        return snapshot != null && parts != null && parts > 1;
    }

    /** One change: {@code op} is connect (id, user), disconnect (id), join or leave (id, group). */
    record Event(String op, String id, String user, String group) {
        static final String CONNECT = "connect";
        static final String DISCONNECT = "disconnect";
        static final String JOIN = "join";
        static final String LEAVE = "leave";
    }

    /** One connection in a snapshot. */
    record ConnectionState(String id, String user, List<String> groups) {
    }
}
