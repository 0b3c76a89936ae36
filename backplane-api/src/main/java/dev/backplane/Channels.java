package dev.backplane;

import java.util.regex.Pattern;

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

    private static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9_.:@=+-]+");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]+");

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
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("illegal channel name '" + abbreviate(channel)
                    + "': only A-Z a-z 0-9 and - _ . : @ = + are allowed (encode user-supplied names)");
        }
        if (channel.startsWith(".") || channel.endsWith(".") || channel.contains("..")) {
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
                || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("illegal prefix '" + prefix + "': it must be 1 to "
                    + MAX_PREFIX_LENGTH + " characters from A-Z a-z 0-9 - _");
        }
        return prefix;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
