package dev.backplane.redis.streams;

import dev.backplane.Position;
import java.util.regex.Pattern;
import redis.clients.jedis.StreamEntryID;

/** Positions are stream entry ids ({@code 1700000000000-0}); {@link Position#EARLIEST} is {@code 0-0}. */
final class EntryIds {

    static final StreamEntryID ZERO = new StreamEntryID(0, 0);

    /** An id after every entry: a non-blocking read after it returns nothing. */
    static final StreamEntryID LAST_POSSIBLE = new StreamEntryID(Long.MAX_VALUE, Long.MAX_VALUE);

    private static final Pattern ID = Pattern.compile("\\d{1,20}-\\d{1,20}");

    private EntryIds() {
    }

    static Position position(StreamEntryID id) {
        return Position.of(id.toString());
    }

    /** The position a gap starts after: {@link Position#EARLIEST} for {@code 0-0}. */
    static Position after(StreamEntryID id) {
        return id.equals(ZERO) ? Position.EARLIEST : position(id);
    }

    /**
     * The entry id of a position to replay after.
     *
     * @throws IllegalArgumentException if the position is not an entry id
     */
    static StreamEntryID parse(Position from) {
        if (from.equals(Position.EARLIEST)) {
            return ZERO;
        }
        String value = from.value();
        if (ID.matcher(value).matches()) {
            try {
                StreamEntryID id = new StreamEntryID(value);
                // Printing it back must give the same text (no leading zeros, nothing lost).
                if (id.toString().equals(value)) {
                    return id;
                }
            } catch (NumberFormatException e) {
                // a part too large for Jedis: reported below
            }
        }
        throw new IllegalArgumentException("position '" + value + "' was not produced by the redis-streams transport; "
                + "expected a stream entry id such as 1700000000000-0, or Position.EARLIEST");
    }
}
