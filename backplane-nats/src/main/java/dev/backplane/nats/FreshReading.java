package dev.backplane.nats;

import io.nats.client.JetStreamApiException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A value read from the server on demand, shared by its callers and read at most once per
 * interval. A caller asks for a reading taken <em>after</em> a moment of its own (when it received
 * a message, say): a reading started later reflects everything the server did before that moment.
 * Callers that ask while a recent reading is too old for them wait for the next one, so a burst of
 * questions costs one request per interval.
 *
 * @param <T> what is read
 */
final class FreshReading<T> {

    /** One request to the server. */
    interface Read<T> {
        T read() throws IOException, JetStreamApiException;
    }

    private final Read<T> read;
    private final long intervalNanos;
    private T value; // guarded by this
    private long startedAt; // guarded by this; when the request that gave value was sent
    private boolean hasValue; // guarded by this

    FreshReading(Read<T> read, Duration interval) {
        this.read = read;
        this.intervalNanos = interval.toNanos();
    }

    /** A reading whose request was sent after {@code momentNanos} ({@link System#nanoTime()}). */
    synchronized T after(long momentNanos) throws IOException, JetStreamApiException, InterruptedException {
        if (hasValue && startedAt - momentNanos > 0) {
            return value;
        }
        long wait = startedAt + intervalNanos - System.nanoTime();
        if (hasValue && wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        long started = System.nanoTime();
        T fresh = read.read();
        value = fresh;
        startedAt = started;
        hasValue = true;
        return fresh;
    }
}
