package dev.backplane.signalr.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * {@link JsonHubProtocol#read} on any frame a client sends: messages or a {@link ProtocolException}
 * with a message, never another exception; every message read writes back to a frame that reads
 * as the same message.
 */
class JsonHubProtocolFuzzTest {

    private static final JsonHubProtocol PROTOCOL = new JsonHubProtocol(new ObjectMapper());

    @FuzzTest(maxDuration = "3s")
    @DictionaryEntries({"{\"type\":", "\"invocationId\":", "\"target\":", "\"arguments\":[",
        "\"streamIds\":[", "\"item\":", "\"result\":", "\"error\":", "\"allowReconnect\":", "\"sequenceId\":",
        "null", "true", "4294967297", "9223372036854775808", "1.5"})
    void readsClientFrames(byte[] frame) {
        List<SignalRMessage> messages;
        try {
            messages = PROTOCOL.read(frame);
        } catch (ProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        for (SignalRMessage m : messages) {
            assertThat(PROTOCOL.read(PROTOCOL.write(m))).as("read(write(%s))", m).containsExactly(m);
        }
    }
}
