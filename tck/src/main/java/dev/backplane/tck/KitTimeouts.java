package dev.backplane.tck;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Every wait in the kit comes from here, multiplied by {@code BACKPLANE_TCK_TIMEOUT_SCALE}
 * (environment variable or system property, default 1) for slow machines.
 *
 * <p>{@link #withScale} changes the scale for one piece of work on the calling thread and the
 * threads it starts; the kit's own tests use it to run deliberately broken backplanes, where the
 * rule is expected to fail and waiting the full time to see it fail would be waste.
 */
public final class KitTimeouts {

    public static final String SCALE_VARIABLE = "BACKPLANE_TCK_TIMEOUT_SCALE";

    private static final double CONFIGURED_SCALE = readScale();

    // Inheritable, so that threads a rule starts wait on the same scale as the rule itself.
    private static final InheritableThreadLocal<Double> SCALE_OVERRIDE = new InheritableThreadLocal<>();

    private KitTimeouts() {
    }

    /** How long to wait for something that should happen. */
    public static Duration delivery() {
        return scaled(Duration.ofSeconds(10));
    }

    /** How long to watch for something that must not happen. */
    public static Duration quiet() {
        return scaled(Duration.ofMillis(500));
    }

    /**
     * How long a call may block its caller when it has nothing to wait for, for instance a publish
     * while the broker is down: it hands its work on and returns. 100 ms, scaled up on a slow
     * machine but never down: a thread descheduled for a few milliseconds is not a blocking call.
     */
    public static Duration call() {
        Duration base = Duration.ofMillis(100);
        Duration scaled = scaled(base);
        return scaled.compareTo(base) > 0 ? scaled : base;
    }

    /** The publish timeout the kit configures on backplanes. */
    public static Duration publish() {
        return scaled(Duration.ofSeconds(3));
    }

    /**
     * Extra time a future may take beyond the timeout that bounds it (timer resolution, a busy
     * machine) before the kit calls it hung.
     */
    public static Duration grace() {
        return scaled(Duration.ofSeconds(2));
    }

    /** The ack timeout the kit configures for the rules about redelivery (T15, T26, T27, T28). */
    public static Duration ack() {
        return scaled(Duration.ofMillis(1500));
    }

    /**
     * The ack timeout the kit configures for every other rule: long enough that a busy machine
     * delaying a delivery does not cause a redelivery those rules would count as a duplicate.
     */
    public static Duration patientAck() {
        return scaled(Duration.ofSeconds(30));
    }

    /**
     * The {@code connectTimeout} the kit configures for the rules about connection state (T51,
     * T52): a backplane must report its connection lost, and its health DOWN, within twice this
     * after the broker stops.
     */
    public static Duration connect() {
        return scaled(Duration.ofSeconds(2));
    }

    /** How soon after the broker is back a backplane's health must be UP again (T52). */
    public static Duration healthRecovery() {
        return scaled(Duration.ofSeconds(2));
    }

    /** How long a backplane may take to come back after the broker restarts. */
    public static Duration recovery() {
        return scaled(Duration.ofSeconds(30));
    }

    public static Duration scaled(Duration base) {
        return Duration.ofNanos((long) (base.toNanos() * scale()));
    }

    /** The scale in force on this thread. */
    public static double scale() {
        Double override = SCALE_OVERRIDE.get();
        return override != null ? override : CONFIGURED_SCALE;
    }

    /**
     * Runs {@code work} with every kit timeout multiplied by {@code scale} instead of the
     * configured scale, on this thread and the threads started meanwhile.
     */
    public static <T> T withScale(double scale, Supplier<T> work) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("a timeout scale must be positive, was " + scale);
        }
        Double previous = SCALE_OVERRIDE.get();
        SCALE_OVERRIDE.set(scale);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                SCALE_OVERRIDE.remove();
            } else {
                SCALE_OVERRIDE.set(previous);
            }
        }
    }

    private static double readScale() {
        String raw = System.getProperty(SCALE_VARIABLE, System.getenv(SCALE_VARIABLE));
        if (raw == null || raw.isBlank()) {
            return 1.0;
        }
        try {
            double value = Double.parseDouble(raw.trim());
            if (!(value > 0)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalStateException(SCALE_VARIABLE + "='" + raw + "' is not a positive number");
        }
    }
}
