package dev.backplane.benchmark.measure;

import java.nio.ByteBuffer;

/**
 * The 16-byte header every benchmark payload starts with, so that the receiver knows what it got
 * and when it was meant to be sent: run number (2 bytes), publisher (2), sequence number (4) and
 * the intended send time from {@link System#nanoTime()} (8). The rest of the payload is zeros.
 * Sender and receivers run in one JVM, so the nanosecond clock is the same on both ends.
 */
public final class Payloads {

    public static final int HEADER = 16;

    private Payloads() {
    }

    /** A new payload of {@code size} bytes (at least {@link #HEADER}) carrying the header. */
    public static byte[] encode(int size, int run, int publisher, int seq, long intendedNanos) {
        byte[] payload = new byte[Math.max(HEADER, size)];
        ByteBuffer.wrap(payload).putShort((short) run).putShort((short) publisher).putInt(seq).putLong(intendedNanos);
        return payload;
    }

    public static int run(byte[] payload) {
        return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }

    public static int publisher(byte[] payload) {
        return ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
    }

    public static int seq(byte[] payload) {
        return ByteBuffer.wrap(payload, 4, 4).getInt();
    }

    public static long intendedNanos(byte[] payload) {
        return ByteBuffer.wrap(payload, 8, 8).getLong();
    }
}
