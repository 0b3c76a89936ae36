package dev.backplane.redis.streams;

import java.nio.charset.StandardCharsets;

/**
 * The Redis keys of one prefix: one stream per channel, {@code {prefix}:{channel}}, and the
 * backplane's own keys, whose names start with {@code {prefix}:.}. A channel name never starts
 * with a dot, so the two can never collide, and an ACL key pattern {@code ~{prefix}:*} covers all.
 */
final class StreamKeys {

    private final String prefix;

    StreamKeys(String prefix) {
        this.prefix = prefix;
    }

    /** The stream of a channel. */
    String stream(String channel) {
        return prefix + ":" + channel;
    }

    /** The token that changes when Redis loses its data set. */
    String epoch() {
        return prefix + ":.epoch";
    }

    /** The stream a backplane instance writes to so that its own blocked reader wakes up. */
    String wake(String instanceId) {
        return prefix + ":.wake." + instanceId;
    }

    static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }
}
