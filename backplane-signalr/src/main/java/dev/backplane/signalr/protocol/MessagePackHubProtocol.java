package dev.backplane.signalr.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageStringCodingException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ArrayValue;
import org.msgpack.value.IntegerValue;
import org.msgpack.value.Value;
import org.msgpack.value.ValueType;

/**
 * The MessagePack hub protocol: each message a MessagePack array prefixed by its length as a VarInt
 * (7 bits a byte, low group first, the high bit set on every byte but the last), sent as binary.
 * Headers are written as an empty map. Values are read into Jackson trees so that arguments bind
 * the same way as with JSON; binary stays binary.
 */
public final class MessagePackHubProtocol implements HubProtocol {

    /** The longest a VarInt length prefix may be: 5 bytes carry up to 2^35 - 1. */
    private static final int MAX_PREFIX_BYTES = 5;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The deepest nesting of arrays and maps a message may have (Jackson's JSON limit is 1000). */
    static final int MAX_DEPTH = 500;

    private final ObjectMapper mapper;

    public MessagePackHubProtocol(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String name() {
        return "messagepack";
    }

    @Override
    public TransferFormat transferFormat() {
        return TransferFormat.BINARY;
    }

    @Override
    public List<SignalRMessage> read(byte[] data) {
        List<SignalRMessage> out = new ArrayList<>();
        int pos = 0;
        while (pos < data.length) {
            long length = 0;
            int shift = 0;
            int prefix = 0;
            while (true) {
                if (pos >= data.length) {
                    throw new ProtocolException("incomplete MessagePack length prefix at byte " + pos);
                }
                int b = data[pos++] & 0xFF;
                length |= (long) (b & 0x7F) << shift;
                shift += 7;
                if (++prefix > MAX_PREFIX_BYTES) {
                    throw new ProtocolException("MessagePack length prefix longer than " + MAX_PREFIX_BYTES + " bytes");
                }
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if (length > data.length - pos) {
                throw new ProtocolException("MessagePack message announces " + length + " bytes, only "
                        + (data.length - pos) + " follow");
            }
            SignalRMessage m = readOne(data, pos, (int) length);
            if (m != null) {
                out.add(m);
            }
            pos += (int) length;
        }
        return out;
    }

    private SignalRMessage readOne(byte[] data, int offset, int length) {
        Value value;
        try (MessageUnpacker checker = MessagePack.newDefaultUnpacker(data, offset, length);
                MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(data, offset, length)) {
            // Sizes and nesting first: msgpack-core allocates what a count or length field says,
            // and recurses once per nesting level.
            checkBounds(checker, length, 0);
            if (checker.hasNext()) {
                throw new ProtocolException("MessagePack message has bytes after its array");
            }
            value = unpacker.unpackValue();
        } catch (IOException | MessagePackException e) {
            throw new ProtocolException("malformed MessagePack message: " + Messages.firstLine(e), e);
        }
        if (!value.isArrayValue() || value.asArrayValue().size() == 0) {
            throw new ProtocolException("a MessagePack hub message must be a non-empty array, got "
                    + value.getValueType().name().toLowerCase());
        }
        try {
            return message(value.asArrayValue());
        } catch (MessageStringCodingException e) {
            throw new ProtocolException("a MessagePack string is not UTF-8: " + Messages.firstLine(e), e);
        }
    }

    /**
     * Walks one value without building it and refuses one whose array or map counts, or whose
     * string, binary or extension lengths, exceed the bytes left in the message, or that nests
     * deeper than {@value #MAX_DEPTH}.
     */
    private static void checkBounds(MessageUnpacker u, int length, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new ProtocolException("MessagePack value nested deeper than " + MAX_DEPTH + " levels");
        }
        MessageFormat format = u.getNextFormat();
        switch (format.getValueType()) {
            case ARRAY -> {
                int n = u.unpackArrayHeader();
                requireFits(n, u, length, "array of " + n + " elements");
                for (int i = 0; i < n; i++) {
                    checkBounds(u, length, depth + 1);
                }
            }
            case MAP -> {
                int n = u.unpackMapHeader();
                requireFits(2L * n, u, length, "map of " + n + " entries");
                for (long i = 0; i < 2L * n; i++) {
                    checkBounds(u, length, depth + 1);
                }
            }
            case STRING -> {
                int n = u.unpackRawStringHeader();
                requireFits(n, u, length, "string of " + n + " bytes");
                u.readPayloadAsReference(n);
            }
            case BINARY -> {
                int n = u.unpackBinaryHeader();
                requireFits(n, u, length, "binary of " + n + " bytes");
                u.readPayloadAsReference(n);
            }
            case EXTENSION -> throw new ProtocolException("MessagePack extension types are not supported as hub values");
            default -> u.skipValue();
        }
    }

    /** Each element takes at least one byte, each string or binary byte one byte. */
    private static void requireFits(long needed, MessageUnpacker u, int length, String what) {
        long left = length - u.getTotalReadBytes();
        if (needed > left) {
            throw new ProtocolException("MessagePack " + what + " in a message with only " + left + " byte(s) left");
        }
    }

    private SignalRMessage message(ArrayValue a) {
        int type = integer(a, 0, "type");
        return switch (type) {
            case 1 -> {
                need(a, 5, "Invocation");
                yield new SignalRMessage.Invocation(optionalString(a, 2, "invocationId"), string(a, 3, "target"),
                        arguments(a, 4), streamIds(a, 5));
            }
            case 2 -> {
                need(a, 4, "StreamItem");
                yield new SignalRMessage.StreamItem(string(a, 2, "invocationId"), toTree(a.get(3)));
            }
            case 3 -> completion(a);
            case 4 -> {
                need(a, 5, "StreamInvocation");
                yield new SignalRMessage.StreamInvocation(string(a, 2, "invocationId"), string(a, 3, "target"),
                        arguments(a, 4), streamIds(a, 5));
            }
            case 5 -> {
                need(a, 3, "CancelInvocation");
                yield new SignalRMessage.CancelInvocation(string(a, 2, "invocationId"));
            }
            case 6 -> new SignalRMessage.Ping();
            case 7 -> {
                need(a, 2, "Close");
                yield new SignalRMessage.Close(optionalString(a, 1, "error"),
                        a.size() > 2 && a.get(2).isBooleanValue() && a.get(2).asBooleanValue().getBoolean());
            }
            case 8 -> {
                need(a, 2, "Ack");
                yield new SignalRMessage.Ack(longValue(a, 1, "sequenceId"));
            }
            case 9 -> {
                need(a, 2, "Sequence");
                yield new SignalRMessage.Sequence(longValue(a, 1, "sequenceId"));
            }
            default -> null; // a type from a later protocol version: skipped
        };
    }

    private SignalRMessage completion(ArrayValue a) {
        need(a, 4, "Completion");
        String id = string(a, 2, "invocationId");
        int kind = integer(a, 3, "resultKind");
        switch (kind) {
            case 1:
                need(a, 5, "Completion with an error");
                return SignalRMessage.Completion.ofError(id, string(a, 4, "error"));
            case 2:
                return SignalRMessage.Completion.ofVoid(id);
            case 3:
                need(a, 5, "Completion with a result");
                return SignalRMessage.Completion.ofResult(id, toTree(a.get(4)));
            default:
                throw new ProtocolException("unknown completion result kind " + kind + " (1 error, 2 void, 3 result)");
        }
    }

    @Override
    public byte[] write(SignalRMessage message) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            if (message instanceof SignalRMessage.Invocation m) {
                p.packArrayHeader(m.streamIds().isEmpty() ? 5 : 6).packInt(1).packMapHeader(0);
                packNullable(p, m.invocationId());
                p.packString(m.target());
                pack(p, m.arguments());
                packStreamIds(p, m.streamIds());
            } else if (message instanceof SignalRMessage.StreamItem m) {
                p.packArrayHeader(4).packInt(2).packMapHeader(0).packString(m.invocationId());
                pack(p, m.item());
            } else if (message instanceof SignalRMessage.Completion m) {
                if (m.error() != null) {
                    p.packArrayHeader(5).packInt(3).packMapHeader(0).packString(m.invocationId()).packInt(1)
                            .packString(m.error());
                } else if (m.hasResult()) {
                    p.packArrayHeader(5).packInt(3).packMapHeader(0).packString(m.invocationId()).packInt(3);
                    pack(p, m.result());
                } else {
                    p.packArrayHeader(4).packInt(3).packMapHeader(0).packString(m.invocationId()).packInt(2);
                }
            } else if (message instanceof SignalRMessage.StreamInvocation m) {
                p.packArrayHeader(m.streamIds().isEmpty() ? 5 : 6).packInt(4).packMapHeader(0)
                        .packString(m.invocationId()).packString(m.target());
                pack(p, m.arguments());
                packStreamIds(p, m.streamIds());
            } else if (message instanceof SignalRMessage.CancelInvocation m) {
                p.packArrayHeader(3).packInt(5).packMapHeader(0).packString(m.invocationId());
            } else if (message instanceof SignalRMessage.Ping) {
                p.packArrayHeader(1).packInt(6);
            } else if (message instanceof SignalRMessage.Close m) {
                p.packArrayHeader(3).packInt(7);
                packNullable(p, m.error());
                p.packBoolean(m.allowReconnect());
            } else if (message instanceof SignalRMessage.Ack m) {
                p.packArrayHeader(2).packInt(8).packLong(m.sequenceId());
            } else if (message instanceof SignalRMessage.Sequence m) {
                p.packArrayHeader(2).packInt(9).packLong(m.sequenceId());
            }
            return frame(p.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public byte[] writeSend(String target, byte[] argumentsJson) {
        JsonNode arguments;
        try {
            arguments = mapper.readTree(argumentsJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("the arguments of " + target + " are not a JSON array: "
                    + Messages.firstLine(e), e);
        }
        if (arguments == null || !arguments.isArray()) {
            throw new IllegalArgumentException("the arguments of " + target + " are not a JSON array");
        }
        return write(new SignalRMessage.Invocation(null, target, (ArrayNode) arguments, List.of()));
    }

    /** Prefixes a message with its length as a VarInt. */
    static byte[] frame(byte[] body) {
        int length = body.length;
        byte[] prefix = new byte[MAX_PREFIX_BYTES];
        int n = 0;
        do {
            int group = length & 0x7F;
            length >>>= 7;
            prefix[n++] = (byte) (length > 0 ? group | 0x80 : group);
        } while (length > 0);
        byte[] out = new byte[n + body.length];
        System.arraycopy(prefix, 0, out, 0, n);
        System.arraycopy(body, 0, out, n, body.length);
        return out;
    }

    private static void pack(MessageBufferPacker p, JsonNode v) throws IOException {
        if (v == null || v.isNull() || v.isMissingNode()) {
            p.packNil();
        } else if (v.isTextual()) {
            p.packString(v.textValue());
        } else if (v.isBoolean()) {
            p.packBoolean(v.booleanValue());
        } else if (v.isIntegralNumber()) {
            if (v.canConvertToLong()) {
                p.packLong(v.longValue());
            } else {
                p.packBigInteger(v.bigIntegerValue());
            }
        } else if (v.isFloatingPointNumber()) {
            p.packDouble(v.doubleValue());
        } else if (v.isBinary()) {
            byte[] b = v.binaryValue();
            p.packBinaryHeader(b.length);
            p.writePayload(b);
        } else if (v.isArray()) {
            p.packArrayHeader(v.size());
            for (JsonNode item : v) {
                pack(p, item);
            }
        } else if (v.isObject()) {
            p.packMapHeader(v.size());
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                p.packString(e.getKey());
                pack(p, e.getValue());
            }
        } else if (v.isPojo()) {
            throw new IllegalArgumentException("a POJO node cannot be written as MessagePack: " + v);
        } else {
            p.packString(v.asText());
        }
    }

    private static void packNullable(MessageBufferPacker p, String s) throws IOException {
        if (s == null) {
            p.packNil();
        } else {
            p.packString(s);
        }
    }

    private static void packStreamIds(MessageBufferPacker p, List<String> ids) throws IOException {
        if (!ids.isEmpty()) {
            p.packArrayHeader(ids.size());
            for (String id : ids) {
                p.packString(id);
            }
        }
    }

    /** A MessagePack value as a Jackson tree: maps get string keys, binary stays binary. */
    static JsonNode toTree(Value v) {
        switch (v.getValueType()) {
            case NIL:
                return NODES.nullNode();
            case BOOLEAN:
                return NODES.booleanNode(v.asBooleanValue().getBoolean());
            case INTEGER: {
                IntegerValue i = v.asIntegerValue();
                if (i.isInLongRange()) {
                    return NODES.numberNode(i.toLong());
                }
                return NODES.numberNode(new BigInteger(i.toBigInteger().toString()));
            }
            case FLOAT:
                return NODES.numberNode(v.asFloatValue().toDouble());
            case STRING:
                return NODES.textNode(v.asStringValue().asString());
            case BINARY:
                return NODES.binaryNode(v.asBinaryValue().asByteArray());
            case ARRAY: {
                ArrayNode out = NODES.arrayNode();
                for (Value item : v.asArrayValue()) {
                    out.add(toTree(item));
                }
                return out;
            }
            case MAP: {
                ObjectNode out = NODES.objectNode();
                for (Map.Entry<Value, Value> e : v.asMapValue().entrySet()) {
                    Value key = e.getKey();
                    out.set(key.getValueType() == ValueType.STRING ? key.asStringValue().asString() : key.toJson(),
                            toTree(e.getValue()));
                }
                return out;
            }
            case EXTENSION:
            default:
                throw new ProtocolException("MessagePack extension types are not supported as hub values");
        }
    }

    private static void need(ArrayValue a, int size, String what) {
        if (a.size() < size) {
            throw new ProtocolException("a MessagePack " + what + " message needs at least " + size
                    + " elements, got " + a.size());
        }
    }

    private static int integer(ArrayValue a, int index, String what) {
        long v = longValue(a, index, what);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ProtocolException("'" + what + "' out of range: " + v);
        }
        return (int) v;
    }

    private static long longValue(ArrayValue a, int index, String what) {
        Value v = a.get(index);
        if (!v.isIntegerValue() || !v.asIntegerValue().isInLongRange()) {
            throw new ProtocolException("'" + what + "' must be an integer, got " + v.getValueType().name().toLowerCase());
        }
        return v.asIntegerValue().toLong();
    }

    private static String string(ArrayValue a, int index, String what) {
        Value v = a.get(index);
        if (!v.isStringValue()) {
            throw new ProtocolException("'" + what + "' must be a string, got " + v.getValueType().name().toLowerCase());
        }
        return v.asStringValue().asString();
    }

    private static String optionalString(ArrayValue a, int index, String what) {
        return a.get(index).isNilValue() ? null : string(a, index, what);
    }

    private static ArrayNode arguments(ArrayValue a, int index) {
        Value v = a.get(index);
        if (!v.isArrayValue()) {
            throw new ProtocolException("'arguments' must be an array, got " + v.getValueType().name().toLowerCase());
        }
        return (ArrayNode) toTree(v);
    }

    private static List<String> streamIds(ArrayValue a, int index) {
        if (a.size() <= index || a.get(index).isNilValue()) {
            return List.of();
        }
        Value v = a.get(index);
        if (!v.isArrayValue()) {
            throw new ProtocolException("'streamIds' must be an array of strings");
        }
        List<String> ids = new ArrayList<>();
        for (Value id : v.asArrayValue()) {
            if (!id.isStringValue()) {
                throw new ProtocolException("'streamIds' must be an array of strings");
            }
            ids.add(id.asStringValue().asString());
        }
        return ids;
    }
}
