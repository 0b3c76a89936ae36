package dev.backplane.signalr.protocol;

/** Short renderings of bad input for error messages: never the whole of a large frame. */
final class Messages {

    private static final int MAX = 120;

    private Messages() {
    }

    static String abbreviate(String s) {
        return s.length() <= MAX ? s : s.substring(0, MAX) + "... (" + s.length() + " chars)";
    }

    static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return abbreviate(nl < 0 ? m : m.substring(0, nl));
    }
}
