package dev.backplane;

import java.util.Objects;

/**
 * A stretch of a channel that a subscription may have missed.
 *
 * @param channel the logical channel
 * @param after the last position delivered before the gap, or {@link Position#NONE} if unknown
 * @param resumedAt the first position delivered after the gap, or {@link Position#NONE} if unknown
 * @param reason what caused it, for logs and users
 */
public record Gap(String channel, Position after, Position resumedAt, String reason) {
    public Gap {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(resumedAt, "resumedAt");
        Objects.requireNonNull(reason, "reason");
    }
}
