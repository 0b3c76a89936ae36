package dev.backplane.hub;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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

    /**
     * Reads a presence body as another node wrote it, checking all that {@link PresenceView} relies on.
     *
     * @throws IllegalArgumentException if {@code json} is not a presence body, saying what is wrong
     */
    static PresenceBody read(ObjectMapper mapper, byte[] json) {
        PresenceBody body;
        try {
            body = mapper.readerFor(PresenceBody.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readValue(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a presence body: " + firstLine(e.getMessage()), e);
        }
        if (body == null) {
            throw new IllegalArgumentException("not a presence body: JSON null");
        }
        body.check();
        return body;
    }

    private void check() {
        if (heartbeatMillis <= 0 || missed <= 0) {
            throw new IllegalArgumentException("presence body needs a positive heartbeatMillis and missed, got "
                    + heartbeatMillis + " and " + missed);
        }
        if (snapshot == null && events == null) {
            throw new IllegalArgumentException("presence body has neither events nor a snapshot");
        }
        if (events != null) {
            for (Event e : events) {
                if (e == null || e.op() == null || e.id() == null || e.id().isEmpty()) {
                    throw new IllegalArgumentException("presence event without an op or a connection id: " + e);
                }
                if ((e.op().equals(Event.JOIN) || e.op().equals(Event.LEAVE)) && e.group() == null) {
                    throw new IllegalArgumentException("presence event '" + e.op() + "' of " + e.id()
                            + " names no group");
                }
            }
        }
        if (snapshot != null) {
            for (ConnectionState c : snapshot) {
                if (c == null || c.id() == null || c.id().isEmpty() || c.groups() == null
                        || c.groups().contains(null)) {
                    throw new IllegalArgumentException("presence snapshot entry without a connection id or with "
                            + "missing groups: " + c);
                }
            }
        }
        if (parts != null && (parts < 1 || part == null || part < 0 || part >= parts)) {
            throw new IllegalArgumentException("presence snapshot part " + part + " of " + parts
                    + ": expected a part from 0 to parts - 1");
        }
    }

    private static String firstLine(String message) {
        String m = String.valueOf(message);
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() <= 200 ? m : m.substring(0, 200) + "...";
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
