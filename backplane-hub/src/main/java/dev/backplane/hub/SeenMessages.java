package dev.backplane.hub;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the last {@code capacity} messages a node handled, so that a redelivery, or a second
 * copy of one send arriving on another channel, is dropped. Memory is bounded: a duplicate that
 * arrives after {@code capacity} newer messages is not recognized.
 */
final class SeenMessages {

    private final Map<String, Boolean> seen;

    SeenMessages(int capacity) {
        this.seen = new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** True the first time an id is offered, false for every repeat still remembered. */
    synchronized boolean firstTime(String messageId) {
        return seen.putIfAbsent(messageId, Boolean.TRUE) == null;
    }
}
