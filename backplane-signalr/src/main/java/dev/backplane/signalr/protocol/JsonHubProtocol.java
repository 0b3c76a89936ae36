package dev.backplane.signalr.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON hub protocol: each message one JSON object ended by the record separator 0x1E, sent as
 * text. Unknown message types are skipped, as the protocol asks, so newer clients keep working.
 * {@code headers} are never written (the Java client refuses them).
 */
public final class JsonHubProtocol implements HubProtocol {

    /** The record separator that ends every JSON message. */
    public static final byte RECORD_SEPARATOR = 0x1E;

    private final ObjectMapper mapper;

    public JsonHubProtocol(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String name() {
        return "json";
    }

    @Override
    public TransferFormat transferFormat() {
        return TransferFormat.TEXT;
    }

    @Override
    public List<SignalRMessage> read(byte[] data) {
        List<SignalRMessage> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == RECORD_SEPARATOR) {
                SignalRMessage m = readOne(data, start, i - start);
                if (m != null) {
                    out.add(m);
                }
                start = i + 1;
            }
        }
        if (start < data.length) {
            throw new ProtocolException("incomplete JSON message: " + (data.length - start)
                    + " byte(s) after the last record separator (0x1E), every message must end with one");
        }
        return out;
    }

    private SignalRMessage readOne(byte[] data, int offset, int length) {
        JsonNode node;
        try {
            node = mapper.readTree(data, offset, length);
        } catch (IOException e) {
            throw new ProtocolException("malformed JSON message: " + Messages.firstLine(e), e);
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolException("a JSON hub message must be an object, got " + describe(node));
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isIntegralNumber()) {
            throw new ProtocolException("missing or non-integer 'type' in " + Messages.abbreviate(node.toString()));
        }
        if (!type.canConvertToInt()) {
            return null; // beyond every type there is: skipped like any unknown type (never read as its low bits)
        }
        return switch (type.asInt()) {
            case 1 -> new SignalRMessage.Invocation(optionalString(node, "invocationId"), requiredString(node, "target"),
                    requiredArray(node, "arguments"), streamIds(node));
            // A missing item is a null item, as it is written back.
            case 2 -> new SignalRMessage.StreamItem(requiredString(node, "invocationId"),
                    node.has("item") ? node.get("item") : NullNode.getInstance());
            case 3 -> completion(node);
            case 4 -> new SignalRMessage.StreamInvocation(requiredString(node, "invocationId"),
                    requiredString(node, "target"), requiredArray(node, "arguments"), streamIds(node));
            case 5 -> new SignalRMessage.CancelInvocation(requiredString(node, "invocationId"));
            case 6 -> new SignalRMessage.Ping();
            case 7 -> new SignalRMessage.Close(optionalString(node, "error"),
                    node.path("allowReconnect").asBoolean(false));
            case 8 -> new SignalRMessage.Ack(requiredLong(node, "sequenceId"));
            case 9 -> new SignalRMessage.Sequence(requiredLong(node, "sequenceId"));
            default -> null; // a type from a later protocol version: skipped
        };
    }

    private SignalRMessage completion(JsonNode node) {
        String id = requiredString(node, "invocationId");
        String error = optionalString(node, "error");
        if (error != null && node.has("result")) {
            throw new ProtocolException("a completion carries a result or an error, not both (invocation " + id + ")");
        }
        if (error != null) {
            return SignalRMessage.Completion.ofError(id, error);
        }
        return node.has("result") ? SignalRMessage.Completion.ofResult(id, node.get("result"))
                : SignalRMessage.Completion.ofVoid(id);
    }

    @Override
    public byte[] write(SignalRMessage message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (JsonGenerator g = mapper.getFactory().createGenerator(bytes)) {
            g.writeStartObject();
            if (message instanceof SignalRMessage.Invocation m) {
                g.writeNumberField("type", 1);
                if (m.invocationId() != null) {
                    g.writeStringField("invocationId", m.invocationId());
                }
                g.writeStringField("target", m.target());
                g.writeFieldName("arguments");
                mapper.writeTree(g, m.arguments());
                writeStreamIds(g, m.streamIds());
            } else if (message instanceof SignalRMessage.StreamItem m) {
                g.writeNumberField("type", 2);
                g.writeStringField("invocationId", m.invocationId());
                g.writeFieldName("item");
                writeValue(g, m.item());
            } else if (message instanceof SignalRMessage.Completion m) {
                g.writeNumberField("type", 3);
                g.writeStringField("invocationId", m.invocationId());
                if (m.error() != null) {
                    g.writeStringField("error", m.error());
                } else if (m.hasResult()) {
                    g.writeFieldName("result");
                    writeValue(g, m.result());
                }
            } else if (message instanceof SignalRMessage.StreamInvocation m) {
                g.writeNumberField("type", 4);
                g.writeStringField("invocationId", m.invocationId());
                g.writeStringField("target", m.target());
                g.writeFieldName("arguments");
                mapper.writeTree(g, m.arguments());
                writeStreamIds(g, m.streamIds());
            } else if (message instanceof SignalRMessage.CancelInvocation m) {
                g.writeNumberField("type", 5);
                g.writeStringField("invocationId", m.invocationId());
            } else if (message instanceof SignalRMessage.Ping) {
                g.writeNumberField("type", 6);
            } else if (message instanceof SignalRMessage.Close m) {
                g.writeNumberField("type", 7);
                if (m.error() != null) {
                    g.writeStringField("error", m.error());
                }
                if (m.allowReconnect()) {
                    g.writeBooleanField("allowReconnect", true);
                }
            } else if (message instanceof SignalRMessage.Ack m) {
                g.writeNumberField("type", 8);
                g.writeNumberField("sequenceId", m.sequenceId());
            } else if (message instanceof SignalRMessage.Sequence m) {
                g.writeNumberField("type", 9);
                g.writeNumberField("sequenceId", m.sequenceId());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bytes.write(RECORD_SEPARATOR);
        return bytes.toByteArray();
    }

    @Override
    public byte[] writeSend(String target, byte[] argumentsJson) {
        byte[] head;
        try {
            head = ("{\"type\":1,\"target\":" + mapper.writeValueAsString(target) + ",\"arguments\":")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("target " + target + " cannot be written as JSON", e);
        }
        byte[] frame = new byte[head.length + argumentsJson.length + 2];
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(argumentsJson, 0, frame, head.length, argumentsJson.length);
        frame[frame.length - 2] = '}';
        frame[frame.length - 1] = RECORD_SEPARATOR;
        return frame;
    }

    private void writeValue(JsonGenerator g, JsonNode value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else {
            mapper.writeTree(g, value);
        }
    }

    private static void writeStreamIds(JsonGenerator g, List<String> ids) throws IOException {
        if (!ids.isEmpty()) {
            g.writeArrayFieldStart("streamIds");
            for (String id : ids) {
                g.writeString(id);
            }
            g.writeEndArray();
        }
    }

    private static String requiredString(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new ProtocolException("message type " + node.get("type") + " needs a string '" + field + "', got "
                    + describe(v));
        }
        return v.asText();
    }

    private static String optionalString(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ProtocolException("'" + field + "' must be a string, got " + describe(v));
        }
        return v.asText();
    }

    private static long requiredLong(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToLong()) {
            throw new ProtocolException("message type " + node.get("type") + " needs an integer '" + field + "', got "
                    + describe(v));
        }
        return v.asLong();
    }

    private static ArrayNode requiredArray(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new ProtocolException("message type " + node.get("type") + " needs an array '" + field + "', got "
                    + describe(v));
        }
        return (ArrayNode) v;
    }

    private static List<String> streamIds(JsonNode node) {
        JsonNode v = node.get("streamIds");
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new ProtocolException("'streamIds' must be an array of strings, got " + describe(v));
        }
        List<String> ids = new ArrayList<>(v.size());
        for (JsonNode id : v) {
            if (!id.isTextual()) {
                throw new ProtocolException("'streamIds' must be an array of strings, got " + describe(v));
            }
            ids.add(id.asText());
        }
        return ids;
    }

    private static String describe(JsonNode v) {
        if (v == null || v.getNodeType() == JsonNodeType.MISSING) {
            return "nothing";
        }
        return v.getNodeType().name().toLowerCase() + " " + Messages.abbreviate(v.toString());
    }
}
