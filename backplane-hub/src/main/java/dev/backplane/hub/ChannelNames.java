package dev.backplane.hub;

import dev.backplane.Channels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The channels of one hub, with user-supplied names (hub, group, user) encoded into the legal
 * channel alphabet:
 * <pre>
 *   {hub}:all   {hub}:presence   {hub}:node:{nodeId}   {hub}:group:{group}   {hub}:user:{user}
 * </pre>
 * Encoding: each UTF-8 byte outside {@code A-Z a-z 0-9 - _} becomes {@code =XX} (upper-case hex),
 * which is injective and never yields {@code .} or {@code :}. A name whose channel would exceed
 * {@link Channels#MAX_CHANNEL_LENGTH} (or a hub name over {@value #MAX_HUB_SEGMENT} encoded
 * characters) keeps a head of its encoding followed by {@code +} and 32 hex digits of its SHA-256;
 * {@code +} never appears in a plain encoding, so a hashed name cannot equal a plain one. Two long
 * names could share a channel only through a SHA-256 prefix collision, and even then receivers
 * match the real name carried in the envelope, so nothing is misdelivered.
 */
final class ChannelNames {

    static final int MAX_HUB_SEGMENT = 64;
    private static final int HASH_HEX = 32;
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final String hub;

    ChannelNames(String hubName) {
        this.hub = fit(encode(hubName), hubName, MAX_HUB_SEGMENT);
    }

    String all() {
        return hub + ":all";
    }

    String presence() {
        return hub + ":presence";
    }

    String node(String nodeId) {
        return hub + ":node:" + nodeId;
    }

    String group(String group) {
        return named(":group:", group);
    }

    String user(String user) {
        return named(":user:", user);
    }

    private String named(String kind, String name) {
        String head = hub + kind;
        return Channels.requireValid(head + fit(encode(name), name, Channels.MAX_CHANNEL_LENGTH - head.length()));
    }

    /** The injective encoding of a name into {@code A-Z a-z 0-9 - _ =}. */
    static String encode(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a hub, group or user name must not be null or empty");
        }
        StringBuilder out = new StringBuilder(name.length());
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                out.append(c);
            } else {
                out.append('=').append(HEX.toHexDigits(b));
            }
        }
        return out.toString();
    }

    private static String fit(String encoded, String name, int budget) {
        if (encoded.length() <= budget) {
            return encoded;
        }
        String hash = HEX.formatHex(sha256(name)).substring(0, HASH_HEX);
        return encoded.substring(0, budget - HASH_HEX - 1) + "+" + hash;
    }

    private static byte[] sha256(String name) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
