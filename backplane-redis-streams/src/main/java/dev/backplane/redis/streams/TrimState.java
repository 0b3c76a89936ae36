package dev.backplane.redis.streams;

import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamInfo;

/**
 * What {@code XINFO STREAM} says about the entries a stream no longer holds, read just after an
 * {@code XREAD} to decide whether that read skipped entries that trimming removed.
 *
 * <p>Trimming removes the oldest entries only, so the stream always holds every entry from its
 * first one on, and {@code entries-added - length} entries were removed before it. The backplane
 * never deletes entries any other way; nobody else should either ({@code XDEL} by hand would hide
 * from this check).
 *
 * @param firstEntry the oldest entry still held, or null if the stream is empty
 * @param removed how many entries were ever removed from the stream, or -1 if Redis does not say (before 7.0)
 * @param length how many entries the stream holds
 */
record TrimState(StreamEntryID firstEntry, long removed, long length) {

    static TrimState read(Jedis jedis, String key) {
        StreamInfo info;
        try {
            info = jedis.xinfoStream(key);
        } catch (JedisDataException e) {
            if (e.getMessage() != null && e.getMessage().contains("no such key")) {
                // Deleted since the read (flushed, or Redis lost its data): there is no trim to report.
                return new TrimState(null, 0, 0);
            }
            throw e;
        }
        StreamEntry first = info.getFirstEntry();
        Map<String, Object> all = info.getStreamInfo();
        Object added = all.get("entries-added");
        long removed = added instanceof Number n ? n.longValue() - info.getLength() : -1;
        return new TrimState(first == null ? null : first.getID(), removed, info.getLength());
    }

    /**
     * Whether entries after a subscription's cursor were removed before a read from that cursor
     * returned {@code firstRead} as the next entry.
     *
     * <p>If {@code firstRead} is newer than the oldest entry held now, the oldest entry held when
     * the read ran was at or before the cursor, so nothing after the cursor had been removed.
     * Otherwise {@code firstRead} was the oldest entry held, and entries between the cursor and it
     * were removed if any were removed at all. (The one case this reports without a loss: the
     * cursor was exactly the newest entry removed. A gap is said, never hidden.)
     */
    boolean removedBefore(StreamEntryID firstRead, long maxLen) {
        if (firstEntry != null && firstRead.compareTo(firstEntry) > 0) {
            return false;
        }
        if (removed >= 0) {
            return removed > 0;
        }
        // Redis before 7.0 does not count: trimming may have happened once the stream reached maxLen.
        return length >= maxLen;
    }
}
