package dev.backplane.redis.streams;

import dev.backplane.Position;
import dev.backplane.spi.PendingPublish;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The entries one backplane instance adds: how a publish becomes an {@code XADD}, and how a
 * publish whose answer was lost with a broken connection is found again. Each entry carries a
 * marker, {@code "{instance}:{sequence}"} in field {@code m}, so the look-up searches the stream
 * for it, newest entries first, back to the last entry this instance is known to have added there.
 * Used by the command thread only.
 *
 * <p>The {@code XADD} is built from byte arrays made once ({@code MAXLEN ~ n *}, the field names,
 * each stream's key) and its answer, the entry id, is read from its bytes: on a busy publisher
 * Jedis's own {@code xadd}, which formats the length and parses the id through strings for every
 * entry, was the larger part of this thread's work.
 */
final class PublishedEntries {

    static final String MARKER = "m";
    private static final byte[] MARKER_FIELD = StreamKeys.bytes(MARKER);
    private static final byte[] MAXLEN = StreamKeys.bytes("MAXLEN");
    private static final byte[] APPROXIMATELY = StreamKeys.bytes("~");
    private static final byte[] NEW_ID = StreamKeys.bytes("*");
    private static final int PAGE = 200;
    private static final int REMEMBERED_STREAMS = 4096;

    /** What the stream says about a publish whose answer was lost. */
    enum Found { ADDED, NOT_ADDED, CANNOT_TELL }

    /** The answer of a look-up: the position when {@link Found#ADDED}. */
    record LookUp(Found found, Position position) {
    }

    /** A stream this instance adds to: its key, and the newest id it added there lately (where a search can stop). */
    private static final class Stream {
        final String key;
        final byte[] keyBytes;
        StreamEntryID newest;

        Stream(String key) {
            this.key = key;
            this.keyBytes = StreamKeys.bytes(key);
        }
    }

    private final StreamKeys keys;
    private final String instanceId;
    private final byte[] maxLen;
    private long sequence;
    private final Map<String, Stream> byChannel = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Stream> eldest) {
            return size() > REMEMBERED_STREAMS;
        }
    };

    PublishedEntries(StreamKeys keys, String instanceId, long maxLen) {
        this.keys = keys;
        this.instanceId = instanceId;
        this.maxLen = StreamKeys.bytes(Long.toString(maxLen));
    }

    /**
     * Puts {@code p}'s {@code XADD key MAXLEN ~ n * p payload m marker} on the pipeline; a publish
     * sent again keeps its first marker. The answer is the new entry's id.
     */
    Response<byte[]> write(Pipeline pipeline, PendingPublish p) {
        String marker = p.attachment();
        if (marker == null) {
            marker = instanceId + ":" + ++sequence;
            p.attach(marker);
        }
        CommandArguments xadd = new CommandArguments(Protocol.Command.XADD).key(stream(p.channel()).keyBytes)
                .add(MAXLEN).add(APPROXIMATELY).add(maxLen).add(NEW_ID)
                .add(StreamReader.PAYLOAD_FIELD).add(p.payload())
                .add(MARKER_FIELD).add(StreamKeys.bytes(marker));
        return pipeline.appendCommand(new CommandObject<>(xadd, BuilderFactory.BINARY));
    }

    /** The stream {@code p} goes to. */
    String key(PendingPublish p) {
        return stream(p.channel()).key;
    }

    /** Notes the entry Redis added for {@code p}; returns its position. */
    Position added(PendingPublish p, byte[] id) {
        remember(stream(p.channel()), parseId(id));
        return Position.of(new String(id, StandardCharsets.ISO_8859_1)); // the id as Redis spells it: no formatting
    }

    private Stream stream(String channel) {
        return byChannel.computeIfAbsent(channel, c -> new Stream(keys.stream(c)));
    }

    /**
     * An entry id as Redis answers an {@code XADD}, {@code <ms>-<seq>} in ASCII digits, read
     * without the string and regular expression Jedis's own parser goes through.
     *
     * @throws IllegalStateException if it is not one (Redis does not answer so)
     */
    static StreamEntryID parseId(byte[] id) {
        long ms = 0;
        long seq = 0;
        int i = 0;
        try {
            for (; i < id.length && id[i] != '-'; i++) {
                ms = Math.addExact(Math.multiplyExact(ms, 10), digit(id, i));
            }
            if (i == 0 || i >= id.length - 1) {
                throw notAnId(id);
            }
            for (i++; i < id.length; i++) {
                seq = Math.addExact(Math.multiplyExact(seq, 10), digit(id, i));
            }
        } catch (ArithmeticException tooLarge) {
            throw notAnId(id);
        }
        return new StreamEntryID(ms, seq);
    }

    private static int digit(byte[] id, int i) {
        int d = id[i] - '0';
        if (d < 0 || d > 9) {
            throw notAnId(id);
        }
        return d;
    }

    private static IllegalStateException notAnId(byte[] id) {
        return new IllegalStateException("Redis answered an XADD with '" + new String(id, StandardCharsets.ISO_8859_1)
                + "', which is not an entry id");
    }

    /**
     * Whether Redis added {@code p}, written on a connection that broke before the answer came.
     * {@link Found#NOT_ADDED} only when the stream still holds every entry that could be it;
     * {@link Found#CANNOT_TELL} when trimming may have removed it since.
     */
    LookUp find(Jedis jedis, PendingPublish p) {
        Stream stream = stream(p.channel());
        String key = stream.key;
        String marker = p.attachment();
        StreamEntryID known = stream.newest;
        String start = known == null ? "-" : "(" + known;
        String end = "+";
        while (true) {
            List<StreamEntry> page = jedis.xrevrange(key, end, start, PAGE);
            for (StreamEntry entry : page) {
                if (marker.equals(entry.getFields().get(MARKER))) {
                    return new LookUp(Found.ADDED, record(stream, entry.getID()));
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

    private static Position record(Stream stream, StreamEntryID id) {
        remember(stream, id);
        return EntryIds.position(id);
    }

    private static void remember(Stream stream, StreamEntryID id) {
        if (stream.newest == null || id.compareTo(stream.newest) > 0) {
            stream.newest = id;
        }
    }
}
