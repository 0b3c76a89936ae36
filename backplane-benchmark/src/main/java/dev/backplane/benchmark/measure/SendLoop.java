package dev.backplane.benchmark.measure;

import java.util.function.LongSupplier;

/**
 * Sends for a fixed time, either as fast as a bounded window of messages in flight allows, or at
 * a fixed rate.
 *
 * <p>At a fixed rate message {@code i} is <em>intended</em> for {@code start + i / rate}, and that
 * intended time, not the moment it actually left, is what goes into its payload. A sender that
 * stalls (a blocked call, a full window, a pause of the JVM) therefore cannot hide its own delay:
 * the messages it owes are sent as soon as it can, stamped with the times they were due, and
 * their latency includes the stall. This is the correction for coordinated omission.
 *
 * <p>The window counts messages sent and not yet delivered to every subscribing node, or, if
 * more, sent and not yet confirmed to the publisher ({@code inFlight}). While it is full the loop waits; if nothing is delivered for
 * {@code stallNanos} the run ends early and is reported as stalled (what was sent and not
 * delivered then counts as lost).
 */
public final class SendLoop {

    /** What the loop drives: one send per message, and a flush before every wait. */
    public interface Sender {
        /** Sends message {@code seq}, due at {@code intendedNanos}. */
        void send(int seq, long intendedNanos);

        /** Pushes out what {@link #send} may have buffered; called before the loop waits. */
        default void flush() {
        }
    }

    /**
     * What a loop did.
     *
     * @param sent messages sent
     * @param startNanos when the first was due
     * @param endNanos when the loop stopped sending
     * @param stalled true if it stopped early because nothing was delivered while the window was full
     */
    public record Outcome(int sent, long startNanos, long endNanos, boolean stalled) {
        public double seconds() {
            return Math.max(1, endNanos - startNanos) / 1e9;
        }
    }

    private static final long WINDOW_POLL_NANOS = 20_000;

    private final Ticker ticker;
    private final double ratePerSecond;
    private final int window;
    private final LongSupplier inFlight;
    private final long stallNanos;

    /**
     * @param ratePerSecond messages per second, or 0 for as fast as the window allows
     * @param window most messages in flight
     * @param inFlight messages sent and not yet delivered everywhere, read while the window is full
     * @param stallNanos how long a full window may see no delivery before the run ends as stalled
     */
    public SendLoop(Ticker ticker, double ratePerSecond, int window, LongSupplier inFlight, long stallNanos) {
        if (ratePerSecond < 0 || window < 1) {
            throw new IllegalArgumentException("rate must not be negative and window must be positive");
        }
        this.ticker = ticker;
        this.ratePerSecond = ratePerSecond;
        this.window = window;
        this.inFlight = inFlight;
        this.stallNanos = stallNanos;
    }

    /** Sends for {@code durationNanos}, message numbers from 0. */
    public Outcome run(long durationNanos, Sender sender) {
        long start = ticker.nanoTime();
        long end = start + durationNanos;
        double interval = ratePerSecond > 0 ? 1e9 / ratePerSecond : 0;
        int seq = 0;
        while (true) {
            long now = ticker.nanoTime();
            long intended = 0;
            if (interval > 0) {
                intended = start + (long) (seq * interval);
                if (intended >= end) {
                    break;
                }
                if (now < intended) {
                    sender.flush();
                    ticker.pause(intended - now);
                    continue;
                }
            } else if (now >= end) {
                break;
            }
            // At a fixed rate the wait for the window counts in the latency (the message was due);
            // as fast as possible, a message is due when the window lets it go.
            if (inFlight.getAsLong() >= window && !awaitWindow(sender)) {
                return new Outcome(seq, start, ticker.nanoTime(), true);
            }
            if (interval == 0) {
                intended = ticker.nanoTime();
            }
            sender.send(seq++, intended);
        }
        sender.flush();
        return new Outcome(seq, start, ticker.nanoTime(), false);
    }

    /** Waits for room in the window; false if nothing was delivered for {@link #stallNanos}. */
    private boolean awaitWindow(Sender sender) {
        sender.flush();
        long last = inFlight.getAsLong();
        long lastProgress = ticker.nanoTime();
        while (true) {
            long now = inFlight.getAsLong();
            if (now < window) {
                return true;
            }
            long t = ticker.nanoTime();
            if (now != last) {
                last = now;
                lastProgress = t;
            } else if (t - lastProgress > stallNanos) {
                return false;
            }
            ticker.pause(WINDOW_POLL_NANOS);
        }
    }
}
