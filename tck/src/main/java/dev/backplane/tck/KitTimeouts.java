package dev.backplane.tck;

import java.time.Duration;

/**
 * Every wait in the kit comes from here, multiplied by {@code BACKPLANE_TCK_TIMEOUT_SCALE}
 * (environment variable or system property, default 1) for slow machines.
 */
public final class KitTimeouts {

    public static final String SCALE_VARIABLE = "BACKPLANE_TCK_TIMEOUT_SCALE";

    private static final double SCALE = readScale();

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

    /** The publish timeout the kit configures on backplanes. */
    public static Duration publish() {
        return scaled(Duration.ofSeconds(3));
    }

    /** The ack timeout the kit configures on backplanes. */
    public static Duration ack() {
        return scaled(Duration.ofMillis(1500));
    }

    /** How long a backplane may take to come back after the broker restarts. */
    public static Duration recovery() {
        return scaled(Duration.ofSeconds(30));
    }

    public static Duration scaled(Duration base) {
        return Duration.ofNanos((long) (base.toNanos() * SCALE));
    }

    public static double scale() {
        return SCALE;
    }

    private static double readScale() {
        String raw = System.getProperty(SCALE_VARIABLE, System.getenv(SCALE_VARIABLE));
        if (raw == null || raw.isBlank()) {
            return 1.0;
        }
        try {
            double value = Double.parseDouble(raw.trim());
            if (value <= 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalStateException(SCALE_VARIABLE + "='" + raw + "' is not a positive number");
        }
    }
}
