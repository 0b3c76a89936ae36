package dev.backplane.benchmark.workload;

import java.util.Locale;

/**
 * How fast a publisher sends: as fast as the in-flight window allows ({@link #max()}), a fixed
 * number of messages per second ({@link #fixed}), or a percentage of the maximum measured earlier
 * in the same run of the suite ({@link #percentOfMax}).
 *
 * @param kind which of the three
 * @param value messages per second for {@code FIXED}, the percentage for {@code PERCENT_OF_MAX}, 0 for {@code MAX}
 */
public record Rate(Kind kind, double value) {

    /** The three kinds of rate. */
    public enum Kind { MAX, FIXED, PERCENT_OF_MAX }

    public Rate {
        if (kind == Kind.MAX && value != 0) {
            throw new IllegalArgumentException("a max rate has no value");
        }
        if (kind != Kind.MAX && !(value > 0)) {
            throw new IllegalArgumentException("a rate must be positive, was " + value);
        }
        if (kind == Kind.PERCENT_OF_MAX && value > 100) {
            throw new IllegalArgumentException("a rate of more than 100% of the maximum cannot be kept, was " + value + "%");
        }
    }

    public static Rate max() {
        return new Rate(Kind.MAX, 0);
    }

    public static Rate fixed(double perSecond) {
        return new Rate(Kind.FIXED, perSecond);
    }

    public static Rate percentOfMax(double percent) {
        return new Rate(Kind.PERCENT_OF_MAX, percent);
    }

    /**
     * Reads {@code max}, a number of messages per second ({@code 10000}, {@code 10k}, {@code 1.5M}) or a
     * percentage of the measured maximum ({@code 80%}).
     *
     * @throws IllegalArgumentException naming the text and what is accepted
     */
    public static Rate parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("max")) {
                return max();
            }
            if (t.endsWith("%")) {
                return percentOfMax(Double.parseDouble(t.substring(0, t.length() - 1).trim()));
            }
            double factor = 1;
            if (t.endsWith("k")) {
                factor = 1_000;
                t = t.substring(0, t.length() - 1);
            } else if (t.endsWith("m")) {
                factor = 1_000_000;
                t = t.substring(0, t.length() - 1);
            }
            return fixed(Double.parseDouble(t.trim()) * factor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rate '" + text + "' is not 'max', a positive number of messages per second "
                    + "(10000, 10k, 1.5M) or a percentage of the measured maximum (80%)"
                    + (e instanceof NumberFormatException ? "" : ": " + e.getMessage()));
        }
    }

    /** The messages per second, given the maximum measured for the workload this rate refers to. */
    public double perSecond(double measuredMax) {
        return switch (kind) {
            case MAX -> 0;
            case FIXED -> value;
            case PERCENT_OF_MAX -> measuredMax * value / 100;
        };
    }

    /** How the rate is written in files and reports: {@code max}, {@code 10000}, {@code 80%}. */
    public String label() {
        return switch (kind) {
            case MAX -> "max";
            case FIXED -> value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
            case PERCENT_OF_MAX -> (value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value)) + "%";
        };
    }

    @Override
    public String toString() {
        return label();
    }
}
