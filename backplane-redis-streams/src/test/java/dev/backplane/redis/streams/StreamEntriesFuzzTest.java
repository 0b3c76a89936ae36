package dev.backplane.redis.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backplane.Position;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntryBinary;

/**
 * What the Redis Streams transport reads from a stream: {@link StreamReader#payload} on entries
 * with any fields (the payload or null: a foreign entry is skipped), and {@link EntryIds#parse} on
 * any stored position (an entry id or an {@link IllegalArgumentException} with a message); entry
 * ids and positions convert both ways without loss; {@link PublishedEntries#parseId} reads an
 * {@code XADD} answer as Jedis would, or refuses it.
 */
class StreamEntriesFuzzTest {

    @FuzzTest(maxDuration = "3s")
    void readsEntriesAndPositions(FuzzedDataProvider data) {
        long ms = data.consumeLong(0, Long.MAX_VALUE);
        long seq = data.consumeLong(0, Long.MAX_VALUE);
        StreamEntryID id = new StreamEntryID(ms, seq);
        assertThat(EntryIds.parse(EntryIds.position(id))).isEqualTo(id);
        assertThat(PublishedEntries.parseId(id.toString().getBytes(StandardCharsets.US_ASCII))).isEqualTo(id);

        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        byte[] payload = null;
        int n = data.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
            boolean isPayload = data.consumeBoolean();
            byte[] name = isPayload ? StreamReader.PAYLOAD_FIELD.clone() : data.consumeBytes(10);
            byte[] value = data.consumeBytes(50);
            fields.put(name, value);
            if (payload == null && java.util.Arrays.equals(name, StreamReader.PAYLOAD_FIELD)) {
                payload = value;
            }
        }
        byte[] read = StreamReader.payload(new StreamEntryBinary(id, fields));
        assertThat(read).isEqualTo(payload);

        String stored = data.consumeRemainingAsString();
        try {
            // An XADD answer read from its bytes: an id that spells the same digits, or a clear refusal.
            StreamEntryID answered = PublishedEntries.parseId(stored.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(stored).matches("[0-9]+-[0-9]+");
            assertThat(answered).isEqualTo(new StreamEntryID(stored));
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).contains("not an entry id");
        }
        if (stored.isBlank()) {
            return;
        }
        StreamEntryID parsed;
        try {
            parsed = EntryIds.parse(Position.of(stored));
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).contains("redis-streams");
            return;
        }
        assertThat(EntryIds.after(parsed).equals(Position.EARLIEST) || parsed.toString().equals(stored)).isTrue();
    }
}
