package dev.backplane.benchmark.report;

import java.util.Locale;

/** Numbers as the reports write them. */
final class Format {

    private Format() {
    }

    /** {@code 950}, {@code 12.3k}, {@code 1.25M}. */
    static String count(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.2fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** Microseconds as {@code 85 us}, {@code 1.2 ms}, {@code 3.40 s}. */
    static String micros(double us) {
        if (Double.isNaN(us)) {
            return "-";
        }
        if (us >= 1e6) {
            return String.format(Locale.ROOT, "%.2f s", us / 1e6);
        }
        if (us >= 1e3) {
            return String.format(Locale.ROOT, "%.1f ms", us / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f us", us);
    }

    /** {@code 0.84}. */
    static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2f", r);
    }

    /** {@code 128 B}, {@code 16 KiB}. */
    static String bytes(int b) {
        if (b >= 1024 && b % 1024 == 0) {
            return (b / 1024) + " KiB";
        }
        return b + " B";
    }

    static String html(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
