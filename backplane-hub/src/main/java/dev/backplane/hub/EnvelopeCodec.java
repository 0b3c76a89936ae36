package dev.backplane.hub;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The binary form of an {@link Envelope}: a small header and the payload bytes as they are.
 * <pre>
 *   u8  version (1)          u8  kind code
 *   str sender               i64 seq
 *   u8  target kind (0 none, 1 all, 2 connections, 3 groups, 4 users)
 *   u16 n, n x str names     u16 m, m x str excluded connection ids
 *   str correlation          str name
 *   i32 payload length, payload bytes (nothing may follow)
 * </pre>
 * {@code str} is Java's modified UTF-8 with a u16 length ({@link DataOutputStream#writeUTF}).
 * Decoding checks every length and rejects trailing bytes, so a truncated, padded or foreign
 * message is reported as malformed instead of half-read.
 */
final class EnvelopeCodec {

    static final int VERSION = 1;

    private EnvelopeCodec() {
    }

    static byte[] encode(Envelope e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + e.payload().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(e.kind().code);
            out.writeUTF(e.sender());
            out.writeLong(e.seq());
            Target t = e.target();
            out.writeByte(t == null ? 0 : t.kind().ordinal() + 1);
            writeStrings(out, t == null ? List.of() : t.names());
            writeStrings(out, t == null ? List.of() : List.copyOf(t.excluded()));
            out.writeUTF(e.correlation());
            out.writeUTF(e.name());
            out.writeInt(e.payload().length);
            out.write(e.payload());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    static Envelope decode(byte[] data) throws MalformedEnvelopeException {
        if (data.length < 2) {
            throw new MalformedEnvelopeException("envelope of " + data.length + " byte(s) is too short");
        }
        if (data[0] != VERSION) {
            throw new MalformedEnvelopeException("unsupported envelope version " + (data[0] & 0xff)
                    + " (this node reads version " + VERSION + ")");
        }
        Envelope.Kind kind = Envelope.Kind.of(data[1] & 0xff);
        if (kind == null) {
            throw new MalformedEnvelopeException("unknown envelope kind " + (data[1] & 0xff));
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 2, data.length - 2));
        try {
            String sender = in.readUTF();
            long seq = in.readLong();
            int targetCode = in.readUnsignedByte();
            if (targetCode > Target.Kind.values().length) {
                throw new MalformedEnvelopeException("unknown target kind " + targetCode);
            }
            List<String> names = readStrings(in);
            Set<String> excluded = new HashSet<>(readStrings(in));
            String correlation = in.readUTF();
            String name = in.readUTF();
            int length = in.readInt();
            if (length < 0 || length != in.available()) {
                throw new MalformedEnvelopeException("payload length " + length + " does not match the "
                        + in.available() + " byte(s) left");
            }
            byte[] payload = in.readNBytes(length);
            Target target = targetCode == 0 ? null : newTarget(Target.Kind.values()[targetCode - 1], names, excluded);
            return new Envelope(kind, sender, seq, target, correlation, name, payload);
        } catch (IOException ex) {
            throw new MalformedEnvelopeException("truncated or garbled envelope: " + ex, ex);
        }
    }

    private static Target newTarget(Target.Kind kind, List<String> names, Set<String> excluded)
            throws MalformedEnvelopeException {
        try {
            return new Target(kind, names, excluded);
        } catch (IllegalArgumentException ex) {
            throw new MalformedEnvelopeException("invalid target: " + ex.getMessage(), ex);
        }
    }

    private static void writeStrings(DataOutputStream out, List<String> values) throws IOException {
        if (values.size() > 0xffff) {
            throw new IllegalArgumentException("a target may name at most 65535 ids, got " + values.size());
        }
        out.writeShort(values.size());
        for (String v : values) {
            out.writeUTF(v);
        }
    }

    private static List<String> readStrings(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        List<String> values = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            values.add(in.readUTF());
        }
        return values;
    }
}
