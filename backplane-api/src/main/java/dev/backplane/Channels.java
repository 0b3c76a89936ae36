package dev.backplane;

/**
 * The rules for channel names and prefixes, the same on every transport.
 *
 * <ul>
 *   <li>A <b>channel</b> is 1 to {@value #MAX_CHANNEL_LENGTH} characters from {@code A-Z a-z 0-9}
 *       and {@code - _ . : @ = +}. It must not start or end with {@code .} nor contain {@code ..}
 *       (transports map it onto subjects and keys). Names from users, such as group names, are
 *       encoded by the caller (the hub layer does this).
 *   <li>A <b>prefix</b> is 1 to {@value #MAX_PREFIX_LENGTH} characters from {@code A-Z a-z 0-9 - _}.
 *       It holds no separator, so two prefixes can never produce the same broker name.
 * </ul>
 */
public final class Channels {

    public static final int MAX_CHANNEL_LENGTH = 200;
    public static final int MAX_PREFIX_LENGTH = 64;

    // The alphabets as tables over ASCII: a channel is checked on every publish, so a lookup per
    // character rather than a regular expression.
    private static final boolean[] CHANNEL = alphabet("_.:@=+-");
    private static final boolean[] PREFIX = alphabet("_-");

    private Channels() {
    }

    /**
     * Returns {@code channel} if it is legal.
     *
     * @throws NullPointerException if it is null
     * @throws IllegalArgumentException saying what is wrong with it otherwise
     */
    public static String requireValid(String channel) {
        if (channel == null) {
            throw new NullPointerException("channel must not be null");
        }
        if (channel.isEmpty() || channel.length() > MAX_CHANNEL_LENGTH) {
            throw new IllegalArgumentException("illegal channel name '" + abbreviate(channel)
                    + "': its length must be 1 to " + MAX_CHANNEL_LENGTH + " characters, was " + channel.length());
        }
        boolean dots = false;
        char previous = 0;
        for (int i = 0, n = channel.length(); i < n; i++) {
            char c = channel.charAt(i);
            if (!allowed(CHANNEL, c)) {
                throw new IllegalArgumentException("illegal channel name '" + abbreviate(channel)
                        + "': only A-Z a-z 0-9 and - _ . : @ = + are allowed (encode user-supplied names)");
            }
            if (c == '.' && (i == 0 || previous == '.')) {
                dots = true; // reported after the whole name is known to be of the alphabet, as before
            }
            previous = c;
        }
        if (dots || previous == '.') {
            throw new IllegalArgumentException("illegal channel name '" + channel
                    + "': it must not start or end with '.' nor contain '..'");
        }
        return channel;
    }

    /**
     * Returns {@code prefix} if it is legal.
     *
     * @throws IllegalArgumentException saying what is wrong with it otherwise
     */
    public static String requireValidPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH
                || !ofAlphabet(PREFIX, prefix)) {
            throw new IllegalArgumentException("illegal prefix '" + prefix + "': it must be 1 to "
                    + MAX_PREFIX_LENGTH + " characters from A-Z a-z 0-9 - _");
        }
        return prefix;
    }

    private static boolean[] alphabet(String punctuation) {
        boolean[] table = new boolean[128];
        for (char c = 'A'; c <= 'Z'; c++) {
            table[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            table[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            table[c] = true;
        }
        for (int i = 0; i < punctuation.length(); i++) {
            table[punctuation.charAt(i)] = true;
        }
        return table;
    }

    private static boolean allowed(boolean[] table, char c) {
        return c < table.length && table[c];
    }

    private static boolean ofAlphabet(boolean[] table, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (!allowed(table, s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
