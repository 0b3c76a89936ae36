package dev.backplane.nats;

import io.nats.client.Message;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.nio.charset.StandardCharsets;

/**
 * Reads the two things JetStream sends for every message without jnats' general parsers, which
 * build a JSON tree or split strings and parse a date each time: the stream sequence of a publish
 * acknowledgement, and the stream sequence, store time and pending count a delivery's reply
 * subject carries. Anything unusual falls back to jnats.
 */
final class JetStreamReplies {

    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final String ACK_PREFIX = "$JS.ACK.";
    private static final byte[] ERROR = "\"error\"".getBytes(StandardCharsets.US_ASCII);

    private JetStreamReplies() {
    }

    /**
     * The stream sequence of a plain acknowledgement ({@code {"stream":"S","seq":N,...}}), or -1
     * for anything else (an error answer, an empty one): parse those with jnats.
     */
    static long acknowledgedSequence(byte[] body) {
        if (body == null || body.length == 0 || indexOf(body, ERROR, 0) >= 0) {
            return -1;
        }
        int at = indexOf(body, SEQ, 0);
        if (at < 0) {
            return -1;
        }
        int i = at + SEQ.length;
        while (i < body.length && body[i] == ' ') {
            i++;
        }
        long value = 0;
        int digits = 0;
        for (; i < body.length && body[i] >= '0' && body[i] <= '9'; i++, digits++) {
            value = value * 10 + (body[i] - '0');
        }
        return digits == 0 || digits > 18 ? -1 : value;
    }

    /** What a delivery's reply subject says about it. */
    record Delivered(long streamSequence, long storedMillis, long pending) {
    }

    /**
     * Reads {@code $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>}
     * (or the form with domain and account hash after {@code ACK}); jnats reads anything else.
     */
    static Delivered delivered(Message message) {
        String reply = message.getReplyTo();
        Delivered fast = reply == null ? null : fastDelivered(reply);
        return fast != null ? fast : fromJnats(message);
    }

    /** The fast path of {@link #delivered}: null for anything it does not read (jnats reads that). */
    static Delivered fastDelivered(String reply) {
        // jnats splits with String.split, which drops empty tokens at the end: such subjects are its to read.
        if (!reply.startsWith(ACK_PREFIX) || reply.endsWith(".")) {
            return null; // not a JetStream delivery: jnats says so
        }
        int tokens = 1;
        for (int i = 0; i < reply.length(); i++) {
            if (reply.charAt(i) == '.') {
                tokens++;
            }
        }
        // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>, or with
        // <domain>.<account hash> before <stream> (and more tokens after <pending>).
        int deliveredToken = tokens == 9 ? 4 : tokens >= 11 ? 6 : -1;
        if (deliveredToken < 0) {
            return null;
        }
        try {
            int start = 0;
            for (int t = 0; t < deliveredToken; t++) {
                start = reply.indexOf('.', start) + 1;
            }
            long[] numbers = new long[5]; // delivered, stream seq, consumer seq, time, pending
            for (int i = 0; i < numbers.length; i++) {
                int end = reply.indexOf('.', start);
                numbers[i] = Long.parseLong(reply, start, end < 0 ? reply.length() : end, 10);
                start = end + 1;
            }
            return new Delivered(numbers[1], Math.floorDiv(numbers[3], 1_000_000L), numbers[4]);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Delivered fromJnats(Message message) {
        NatsJetStreamMetaData meta = message.metaData();
        return new Delivered(meta.streamSequence(), meta.timestamp().toInstant().toEpochMilli(), meta.pendingCount());
    }

    private static int indexOf(byte[] body, byte[] what, int from) {
        outer:
        for (int i = from; i <= body.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (body[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
