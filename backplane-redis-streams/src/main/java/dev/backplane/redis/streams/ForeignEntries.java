package dev.backplane.redis.streams;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.StreamEntryID;

/**
 * Entries of subscribed streams that no backplane wrote (no payload field): each is skipped,
 * counted once however many subscriptions pass it, and logged once per stretch, a run of such
 * entries on one stream that ends with the next message. Used by the reader thread only, except
 * {@link #count()}.
 */
final class ForeignEntries {

    private static final System.Logger LOG = System.getLogger(ForeignEntries.class.getName());

    private final AtomicLong count = new AtomicLong();
    // Per subscribed stream that had foreign entries: the newest counted, and the stretch going on.
    private final Map<String, Seen> seen = new HashMap<>();

    /** Entries skipped so far. */
    long count() {
        return count.get();
    }

    /** A subscription passed foreign entry {@code id} of stream {@code key}. */
    void skipped(String key, StreamEntryID id) {
        Seen s = seen.computeIfAbsent(key, k -> new Seen());
        if (s.newest != null && id.compareTo(s.newest) <= 0) {
            return; // counted when another subscription passed it
        }
        s.newest = id;
        count.incrementAndGet();
        if (s.stretch++ == 0) {
            LOG.log(System.Logger.Level.WARNING, "entry " + id + " of stream '" + key + "' has no field 'p': it was "
                    + "not written by a backplane and is skipped, as are any more such entries before the next message "
                    + "(each is counted in foreignEntriesSkipped())");
        }
    }

    /** A subscription got message {@code id} of stream {@code key}: a stretch before it has ended. */
    void message(String key, StreamEntryID id) {
        Seen s = seen.get(key);
        if (s != null && s.stretch > 0 && id.compareTo(s.newest) > 0) {
            long entries = s.stretch;
            s.stretch = 0;
            LOG.log(System.Logger.Level.INFO, entries + " entr" + (entries == 1 ? "y" : "ies") + " of stream '" + key
                    + "' not written by a backplane were skipped, up to " + s.newest);
        }
    }

    /** Forgets the streams no longer subscribed to. */
    void retain(Set<String> subscribedKeys) {
        if (!seen.isEmpty()) {
            seen.keySet().retainAll(subscribedKeys);
        }
    }

    private static final class Seen {
        StreamEntryID newest;
        long stretch;
    }
}
