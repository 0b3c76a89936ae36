package dev.backplane.signalr.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The handshake: the client's first message, always JSON ended by 0x1E whatever protocol it then
 * speaks ({@code {"protocol":"json","version":1}}), and the server's answer ({@code {}} or
 * {@code {"error":"..."}}, also ended by 0x1E).
 */
public final class Handshake {

    /** The successful answer. */
    public static final byte[] SUCCESS = "{}\u001e".getBytes(StandardCharsets.UTF_8);

    /**
     * A parsed request and whatever followed it in the same frame.
     *
     * @param protocol the protocol asked for
     * @param version the protocol version asked for
     * @param remainder the bytes after the handshake's 0x1E (messages may follow in the same frame)
     */
    public record Request(String protocol, int version, byte[] remainder) {
    }

    private Handshake() {
    }

    /**
     * Reads a handshake request from the start of {@code data}; null when its 0x1E has not arrived yet.
     *
     * @throws ProtocolException when it is not a handshake request
     */
    public static Request read(ObjectMapper mapper, byte[] data) {
        int end = -1;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == JsonHubProtocol.RECORD_SEPARATOR) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return null;
        }
        JsonNode node;
        try {
            node = mapper.readTree(data, 0, end);
        } catch (IOException e) {
            throw new ProtocolException("the handshake request is not JSON: " + Messages.firstLine(e), e);
        }
        if (node == null || !node.isObject() || !node.path("protocol").isTextual()
                || !node.path("version").isIntegralNumber() || !node.path("version").canConvertToInt()) {
            throw new ProtocolException("the handshake request must be {\"protocol\":NAME,\"version\":N}, got "
                    + Messages.abbreviate(String.valueOf(node)));
        }
        return new Request(node.get("protocol").asText(), node.get("version").asInt(),
                Arrays.copyOfRange(data, end + 1, data.length));
    }

    /** The answer that refuses a handshake with {@code error}. */
    public static byte[] error(ObjectMapper mapper, String error) {
        try {
            return (mapper.writeValueAsString(java.util.Map.of("error", error)) + "\u001e")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
