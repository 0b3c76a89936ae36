package dev.backplane.signalr.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@link Handshake#read} on any first frame: a request (with what follows it), null while its
 * record separator has not come, or a {@link ProtocolException} with a message, never another
 * exception. The version read is the one the client wrote.
 */
class HandshakeFuzzTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @FuzzTest(maxDuration = "3s")
    @DictionaryEntries({"{\"protocol\":", "\"json\"", "\"messagepack\"", "\"version\":", "1", "4294967297",
        "-1", "1.0", "null"})
    void readsHandshakes(byte[] frame) throws Exception {
        Handshake.Request request;
        try {
            request = Handshake.read(MAPPER, frame);
        } catch (ProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        int end = indexOfSeparator(frame);
        if (request == null) {
            assertThat(end).isNegative();
            return;
        }
        assertThat(request.remainder()).isEqualTo(Arrays.copyOfRange(frame, end + 1, frame.length));
        assertThat(MAPPER.readTree(frame, 0, end).get("version").asText())
                .as("the version read is the version written").isEqualTo(Integer.toString(request.version()));
        // The server's answer to it is one JSON object and its separator.
        byte[] error = Handshake.error(MAPPER, request.protocol());
        assertThat(MAPPER.readTree(new String(error, 0, error.length - 1, StandardCharsets.UTF_8)).get("error").asText())
                .isEqualTo(request.protocol());
    }

    private static int indexOfSeparator(byte[] frame) {
        for (int i = 0; i < frame.length; i++) {
            if (frame[i] == JsonHubProtocol.RECORD_SEPARATOR) {
                return i;
            }
        }
        return -1;
    }
}
