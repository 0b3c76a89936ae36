package dev.backplane.redis.streams;

import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.redis.RedisConnections;
import dev.backplane.spi.Backoff;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntryBinary;

/**
 * The one thread and connection per backplane instance that read every subscribed stream with a
 * blocking {@code XREAD ... STREAMS k1 k2 ... id1 id2 ...} and hand each entry to every
 * subscription whose place is before it. It never runs a subscriber: deliveries are queued on
 * each subscription's dispatch, which calls the subscriber on the callback executor.
 *
 * <p>Flow control per subscription: a stream is read from the oldest place among its
 * subscriptions that {@linkplain StreamSubscription#hasCapacity() have capacity}, and left out of
 * the read while none has. A subscription that regains capacity wakes this reader (through the
 * instance's wake stream), which reads its stream again from its place; the others skip what
 * they already had. So one slow subscriber holds entries in Redis, not in memory, and delays no
 * other subscription of its channel or of another one.
 *
 * <p>Because each subscription keeps the id of the last entry handed to it, a reconnect simply
 * reads on from there: nothing Redis still holds is skipped. Entries Redis no longer holds are
 * reported as gaps: trimmed ones (checked with {@link TrimState} whenever a read may have
 * skipped some) and, when Redis comes back without its data, everything not yet delivered.
 * Entries without a payload field (not written by a backplane) are skipped, counted and logged
 * once per stretch ({@link ForeignEntries}).
 */
final class StreamReader implements AutoCloseable {

    static final byte[] PAYLOAD_FIELD = {'p'};

    private static final System.Logger LOG = System.getLogger(StreamReader.class.getName());

    private final Supplier<Jedis> connector;
    private final BooleanSupplier masterMoved;
    private final Runnable onConnectionLost;
    private final RedisFailures failures;
    private final StreamKeys keys;
    private final byte[] wakeKey;
    private final StreamsSettings settings;
    private final int blockMillis;
    private final ForeignEntries foreign = new ForeignEntries();
    private final Set<StreamSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private final Backoff backoff = RedisConnections.reconnectBackoff();
    private volatile boolean closed;
    private volatile Jedis jedis;
    private StreamEntryID wakeCursor = EntryIds.ZERO;
    private String epoch;
    private String lastLogged;

    /**
     * @param connector opens a connection whose socket timeout exceeds {@code blockMillis}
     * @param masterMoved whether the sentinels named another master since the connection was made
     *     (always false without Sentinel): then it is made again, to the new master
     * @param onConnectionLost told when the reading connection breaks
     * @param epoch the data-set token seen when the backplane opened
     */
    StreamReader(Supplier<Jedis> connector, BooleanSupplier masterMoved, Runnable onConnectionLost, RedisFailures failures, StreamKeys keys, String wakeKey,
            StreamsSettings settings, int blockMillis, String epoch, String threadName) {
        this.connector = connector;
        this.masterMoved = masterMoved;
        this.onConnectionLost = onConnectionLost;
        this.failures = failures;
        this.keys = keys;
        this.wakeKey = StreamKeys.bytes(wakeKey);
        this.settings = settings;
        this.blockMillis = blockMillis;
        this.epoch = epoch;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    void add(StreamSubscription subscription) {
        subscriptions.add(subscription);
    }

    void remove(StreamSubscription subscription) {
        subscriptions.remove(subscription);
    }

    /** Entries skipped because no backplane wrote them. */
    long foreignEntriesSkipped() {
        return foreign.count();
    }

    @Override
    public void close() {
        closed = true;
        Jedis j = jedis;
        if (j != null) {
            try {
                // Closing the socket ends a blocked XREAD at once.
                j.disconnect();
            } catch (RuntimeException e) {
                // already gone
            }
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscriptions.clear();
    }

    private void run() {
        while (!closed) {
            try {
                if (jedis != null && masterMoved.getAsBoolean()) {
                    disconnect();
                }
                if (jedis == null) {
                    jedis = connector.get();
                    checkEpoch(jedis);
                    backoff.reset();
                    lastLogged = null;
                }
                readOnce(jedis);
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                report(e);
                disconnect();
                if (!backoff.pause()) {
                    break;
                }
            }
        }
        disconnect();
    }

    private void readOnce(Jedis j) {
        Map<String, List<StreamSubscription>> byKey = new HashMap<>();
        Set<String> subscribed = new HashSet<>();
        for (StreamSubscription s : subscriptions) {
            if (s.isClosed()) {
                continue;
            }
            subscribed.add(s.key());
            // Without capacity it is left out until it wakes this reader: others read on.
            if (s.hasCapacity()) {
                byKey.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(s);
            }
        }
        foreign.retain(subscribed);
        Map<byte[], StreamEntryID> streams = new LinkedHashMap<>();
        byKey.forEach((key, subs) -> streams.put(StreamKeys.bytes(key), oldestCursor(subs)));
        streams.put(wakeKey, wakeCursor);
        XReadParams params = XReadParams.xReadParams().count(settings.readBatch()).block(blockMillis);
        List<Map.Entry<byte[], List<StreamEntryBinary>>> result = j.xreadBinary(params, streams);
        if (result == null) {
            return;
        }
        for (Map.Entry<byte[], List<StreamEntryBinary>> stream : result) {
            List<StreamEntryBinary> entries = stream.getValue();
            if (entries == null || entries.isEmpty()) {
                continue;
            }
            if (Arrays.equals(stream.getKey(), wakeKey)) {
                wakeCursor = entries.get(entries.size() - 1).getID();
                continue;
            }
            String key = StreamKeys.string(stream.getKey());
            List<StreamSubscription> subs = byKey.get(key);
            if (subs != null) {
                distribute(j, key, entries, subs);
            }
        }
    }

    private void distribute(Jedis j, String key, List<StreamEntryBinary> entries, List<StreamSubscription> subs) {
        boolean full = entries.size() >= settings.readBatch();
        TrimState trim = null;
        for (StreamSubscription s : subs) {
            if (s.isClosed()) {
                continue;
            }
            StreamEntryID cursor = s.cursor();
            int next = 0;
            while (next < entries.size() && entries.get(next).getID().compareTo(cursor) <= 0) {
                next++;
            }
            if (next == entries.size()) {
                continue;
            }
            // Entries of one read are consecutive in the stream: only the first entry of a read can
            // follow removed ones. A read that is not full reached the end of the stream, and a trim
            // leaves at least maxLen >= readBatch entries, so only a full read can follow a trim
            // (or the first read of a replay, in case publishers trim with a smaller maxLen).
            StreamEntryID first = entries.get(0).getID();
            if (next == 0 && (full || s.replaying()) && s.mayHaveMissedBefore(first)) {
                if (trim == null) {
                    trim = TrimState.read(j, key);
                }
                if (trim.removedBefore(first, settings.maxLen())) {
                    s.gap(trimGap(s, key, cursor, first));
                }
            }
            for (int i = next; i < entries.size(); i++) {
                StreamEntryBinary entry = entries.get(i);
                byte[] payload = payload(entry);
                if (payload == null) {
                    // Passed by, or the next read would return it again, and again.
                    foreign.skipped(key, entry.getID());
                    s.skip(entry.getID());
                    continue;
                }
                if (!s.hasCapacity()) {
                    break; // read again from its place once it has room
                }
                foreign.message(key, entry.getID());
                s.deliver(entry.getID(), payload);
            }
        }
    }

    private Gap trimGap(StreamSubscription s, String key, StreamEntryID cursor, StreamEntryID first) {
        String limit = "MAXLEN ~" + settings.maxLen();
        String reason = s.replaying()
                ? "replay after " + EntryIds.after(cursor).value() + " starts before the oldest entry stream '" + key
                        + "' still holds (" + first + "): older entries were trimmed (" + limit + ")"
                : "this subscription fell behind: entries of stream '" + key + "' after " + cursor
                        + " were trimmed (" + limit + ") before it read them; delivery resumes at " + first;
        return new Gap(s.channel(), EntryIds.after(cursor), EntryIds.position(first), reason);
    }

    /** Compares the data-set token with the one seen before; a new one means Redis lost its data. */
    private void checkEpoch(Jedis j) {
        String current = j.get(keys.epoch());
        if (current == null) {
            j.set(keys.epoch(), UUID.randomUUID().toString(), SetParams.setParams().nx());
            current = j.get(keys.epoch());
        }
        if (epoch != null && !epoch.equals(current)) {
            LOG.log(System.Logger.Level.WARNING, "Redis at " + failures.address() + " came back without its data; "
                    + "every subscription is told of a gap");
            for (StreamSubscription s : subscriptions) {
                if (!s.isClosed()) {
                    s.gap(new Gap(s.channel(), EntryIds.after(s.cursor()), Position.NONE, "Redis at "
                            + failures.address() + " came back without its data (restarted without persistence, "
                            + "or flushed): messages published before that and not yet delivered are lost"));
                    // What the stream holds now was all added after the loss: read it from the start.
                    s.start(EntryIds.ZERO, false);
                }
            }
            wakeCursor = EntryIds.ZERO;
        }
        epoch = current;
    }

    private void report(RuntimeException e) {
        if (RedisFailures.isConnectionFailure(e)) {
            onConnectionLost.run();
        }
        if (RedisFailures.isConnectionFailure(e) || RedisFailures.isTryAgain(e) || RedisFailures.isMasterMoved(e)) {
            LOG.log(System.Logger.Level.DEBUG, () -> "lost Redis at " + failures.address() + "; reconnecting: " + e);
            return;
        }
        String message = failures.translate(e, "XREAD", null).getMessage();
        if (!message.equals(lastLogged)) {
            lastLogged = message;
            LOG.log(System.Logger.Level.ERROR, "reading streams failed, retrying: " + message, e);
        }
    }

    private void disconnect() {
        Jedis j = jedis;
        jedis = null;
        if (j != null) {
            try {
                j.close();
            } catch (RuntimeException e) {
                // already broken
            }
        }
    }

    private static StreamEntryID oldestCursor(List<StreamSubscription> subs) {
        StreamEntryID oldest = null;
        for (StreamSubscription s : subs) {
            StreamEntryID c = s.cursor();
            if (oldest == null || c.compareTo(oldest) < 0) {
                oldest = c;
            }
        }
        return oldest;
    }

    /** The payload field of an entry, or null for an entry this transport did not write. */
    static byte[] payload(StreamEntryBinary entry) {
        for (Map.Entry<byte[], byte[]> field : entry.getFields().entrySet()) {
            if (Arrays.equals(field.getKey(), PAYLOAD_FIELD)) {
                return field.getValue();
            }
        }
        return null;
    }
}
