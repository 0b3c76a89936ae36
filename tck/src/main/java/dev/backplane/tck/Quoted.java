package dev.backplane.tck;

import java.util.ArrayList;
import java.util.List;

/**
 * Names as the kit shows them in failure messages: quoted, with long runs of one character
 * written as a count, so that a 200-character channel name reads {@code 'x' x 200} and one that
 * differs in its last character reads {@code 'x' x 199 + 'y'}.
 */
public final class Quoted {

    /** Runs of at least this many equal characters are written as a count. */
    static final int SHORTEST_RUN_COUNTED = 8;

    private Quoted() {
    }

    /** {@code name} quoted, its long runs counted; control characters written as {@code \\uXXXX}. */
    public static String name(String name) {
        if (name == null) {
            return "null";
        }
        if (name.isEmpty()) {
            return "''";
        }
        List<String> parts = new ArrayList<>();
        StringBuilder plain = new StringBuilder();
        int i = 0;
        while (i < name.length()) {
            int end = i;
            while (end < name.length() && name.charAt(end) == name.charAt(i)) {
                end++;
            }
            int run = end - i;
            if (run >= SHORTEST_RUN_COUNTED) {
                if (plain.length() > 0) {
                    parts.add("'" + plain + "'");
                    plain.setLength(0);
                }
                parts.add("'" + visible(name.charAt(i)) + "' x " + run);
            } else {
                for (int k = 0; k < run; k++) {
                    plain.append(visible(name.charAt(i)));
                }
            }
            i = end;
        }
        if (plain.length() > 0) {
            parts.add("'" + plain + "'");
        }
        return String.join(" + ", parts);
    }

    private static String visible(char c) {
        return Character.isISOControl(c) ? String.format("\\u%04X", (int) c) : String.valueOf(c);
    }
}
