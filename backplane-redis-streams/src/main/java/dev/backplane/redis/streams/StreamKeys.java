package dev.backplane.redis.streams;

import java.nio.charset.StandardCharsets;

/**
 * The Redis keys of one prefix: one stream per channel, {@code prefix:channel}, and the
 * backplane's own keys, whose names start with {@code prefix:.}. A channel name never starts
 * with a dot, so the two can never collide, and an ACL key pattern {@code ~prefix:*} covers all.
 *
 * <p>On a Redis Cluster the prefix is written as a hash tag, {@code {prefix}:channel}: every key of
 * one prefix is then in one slot, so the reader's multi-stream {@code XREAD} and the probe's commands
 * are never refused as {@code CROSSSLOT}, and the backplane follows that one slot's master. Prefixes
 * and channels never hold braces, so the tag is always the whole prefix.
 */
final class StreamKeys {

    private final String prefix;

    /**
     * @param prefix the backplane's prefix
     * @param hashTagged whether to write the prefix as a hash tag (on a Redis Cluster)
     */
    StreamKeys(String prefix, boolean hashTagged) {
        this.prefix = hashTagged ? "{" + prefix + "}" : prefix;
    }

    /** The ACL key pattern that covers every key of the prefix, without the {@code ~}. */
    String pattern() {
        return prefix + ":*";
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
