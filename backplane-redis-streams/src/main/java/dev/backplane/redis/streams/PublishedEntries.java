package dev.backplane.redis.streams;

import dev.backplane.Position;
import dev.backplane.spi.PendingPublish;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The entries one backplane instance adds: how a publish becomes an {@code XADD}, and how a
 * publish whose answer was lost with a broken connection is found again. Each entry carries a
 * marker, {@code "{instance}:{sequence}"} in field {@code m}, so the look-up searches the stream
 * for it, newest entries first, back to the last entry this instance is known to have added there.
 * Used by the command thread only.
 */
final class PublishedEntries {

    static final String MARKER = "m";
    private static final byte[] MARKER_FIELD = StreamKeys.bytes(MARKER);
    private static final int PAGE = 200;
    private static final int REMEMBERED_STREAMS = 4096;

    /** What the stream says about a publish whose answer was lost. */
    enum Found { ADDED, NOT_ADDED, CANNOT_TELL }

    /** The answer of a look-up: the position when {@link Found#ADDED}. */
    record LookUp(Found found, Position position) {
    }

    private final StreamKeys keys;
    private final String instanceId;
    private final XAddParams trimming;
    private long sequence;
    // The newest id this instance added to each stream lately: where a search can stop.
    private final Map<String, StreamEntryID> newest = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, StreamEntryID> eldest) {
            return size() > REMEMBERED_STREAMS;
        }
    };

    PublishedEntries(StreamKeys keys, String instanceId, long maxLen) {
        this.keys = keys;
        this.instanceId = instanceId;
        this.trimming = XAddParams.xAddParams().maxLen(maxLen).approximateTrimming();
    }

    /** Puts {@code p}'s {@code XADD} on the pipeline; a publish sent again keeps its first marker. */
    Response<byte[]> write(Pipeline pipeline, PendingPublish p) {
        String marker = p.attachment();
        if (marker == null) {
            marker = instanceId + ":" + ++sequence;
            p.attach(marker);
        }
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        fields.put(StreamReader.PAYLOAD_FIELD, p.payload());
        fields.put(MARKER_FIELD, StreamKeys.bytes(marker));
        return pipeline.xadd(StreamKeys.bytes(keys.stream(p.channel())), trimming, fields);
    }

    /** The stream {@code p} goes to. */
    String key(PendingPublish p) {
        return keys.stream(p.channel());
    }

    /** Notes the entry Redis added for {@code p}; returns its position. */
    Position added(PendingPublish p, byte[] id) {
        return record(keys.stream(p.channel()), new StreamEntryID(id));
    }

    /**
     * Whether Redis added {@code p}, written on a connection that broke before the answer came.
     * {@link Found#NOT_ADDED} only when the stream still holds every entry that could be it;
     * {@link Found#CANNOT_TELL} when trimming may have removed it since.
     */
    LookUp find(Jedis jedis, PendingPublish p) {
        String key = keys.stream(p.channel());
        String marker = p.attachment();
        StreamEntryID known = newest.get(key);
        String start = known == null ? "-" : "(" + known;
        String end = "+";
        while (true) {
            List<StreamEntry> page = jedis.xrevrange(key, end, start, PAGE);
            for (StreamEntry entry : page) {
                if (marker.equals(entry.getFields().get(MARKER))) {
                    return new LookUp(Found.ADDED, record(key, entry.getID()));
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            end = "(" + page.get(page.size() - 1).getID();
        }
        // Absent now. It was never added if nothing that could be it was trimmed: the stream lost no
        // entry at all, or it still holds the last one this instance is known to have added.
        TrimState trim = TrimState.read(jedis, key);
        boolean complete = trim.removed() == 0
                || (known != null && trim.firstEntry() != null && trim.firstEntry().compareTo(known) <= 0);
        return new LookUp(complete ? Found.NOT_ADDED : Found.CANNOT_TELL, null);
    }

    private Position record(String key, StreamEntryID id) {
        StreamEntryID before = newest.get(key);
        if (before == null || id.compareTo(before) > 0) {
            newest.put(key, id);
        }
        return EntryIds.position(id);
    }
}
