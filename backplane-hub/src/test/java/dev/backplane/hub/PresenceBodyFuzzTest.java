package dev.backplane.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link PresenceBody#read} on any presence payload: a body or an {@link IllegalArgumentException}
 * with a message, never another exception; a body it accepts is one {@link PresenceView} can apply
 * without failing, that leaves the node alive, and that writes back to itself.
 */
class PresenceBodyFuzzTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @FuzzTest(maxDuration = "3s")
    @DictionaryEntries({"{\"heartbeatMillis\":", "\"missed\":", "\"events\":[", "\"snapshot\":[", "\"part\":",
        "\"parts\":", "{\"op\":", "\"connect\"", "\"disconnect\"", "\"join\"", "\"leave\"", "\"id\":", "\"user\":",
        "\"group\":", "\"groups\":[", "null", "9223372036854775807", "2147483647"})
    void readsPresencePayloads(byte[] json) throws Exception {
        PresenceBody body;
        try {
            body = PresenceBody.read(MAPPER, json);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(PresenceBody.read(MAPPER, MAPPER.writeValueAsBytes(body))).isEqualTo(body);

        AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 1_000);
        PresenceView view = new PresenceView(clock::get, 0, "self", 1_000_000_000L);
        // An empty snapshot first, so that deltas apply on top of it.
        view.onPresence("other", 1, new PresenceBody(1000, 3, List.of(), List.of()), node -> { });
        view.onPresence("other", 2, body, node -> { });
        view.onPresence("other", 3, body, node -> { });
        assertThat(view.connections()).isNotNull();
        assertThat(view.onlineUsers()).isNotNull();
        assertThat(view.groupMembers("g")).isNotNull();
        view.heardFromSelf();
        assertThat(view.sweep()).as("a node that just spoke is not dead").isEmpty();
        assertThat(view.status("other")).isEqualTo(PresenceView.Status.ALIVE);
    }
}
