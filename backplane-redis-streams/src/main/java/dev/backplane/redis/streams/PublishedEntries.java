package dev.backplane.redis.streams;

import dev.backplane.Position;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Finds a publish whose answer was lost with a broken connection: looks for its marker in the
 * stream, newest entries first, back to the last entry this instance is known to have added there.
 * Used by the command thread only.
 */
final class PublishedEntries {

    static final String MARKER = "m";
    private static final int PAGE = 200;
    private static final int REMEMBERED_STREAMS = 4096;

    // The newest id this instance added to each stream lately: where a search can stop.
    private final Map<String, StreamEntryID> newest = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, StreamEntryID> eldest) {
            return size() > REMEMBERED_STREAMS;
        }
    };

    /** Notes an entry this instance added; returns its position. */
    Position record(String key, StreamEntryID id) {
        newest.put(key, id);
        return EntryIds.position(id);
    }

    /** The position of the entry carrying {@code marker}, if the stream holds it. */
    Optional<Position> find(Jedis jedis, String key, String marker) {
        StreamEntryID known = newest.get(key);
        String start = known == null ? "-" : "(" + known;
        String end = "+";
        while (true) {
            List<StreamEntry> page = jedis.xrevrange(key, end, start, PAGE);
            for (StreamEntry entry : page) {
                if (marker.equals(entry.getFields().get(MARKER))) {
                    return Optional.of(record(key, entry.getID()));
                }
            }
            if (page.size() < PAGE) {
                return Optional.empty();
            }
            end = "(" + page.get(page.size() - 1).getID();
        }
    }
}
