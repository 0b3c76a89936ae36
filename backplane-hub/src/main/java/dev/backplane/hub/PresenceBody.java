package dev.backplane.hub;

import java.util.List;

/**
 * The JSON payload of a presence envelope: the sender's liveness settings, and either the changes
 * since its previous presence message ({@code snapshot == null}) or its whole state.
 *
 * @param heartbeatMillis the sender's heartbeat interval
 * @param missed how many of its heartbeats may be missed before it is declared dead
 * @param events changes since the previous presence message, in order
 * @param snapshot every connection of the sender, or null in a delta
 */
record PresenceBody(long heartbeatMillis, int missed, List<Event> events, List<ConnectionState> snapshot) {

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
