package dev.backplane.signalr;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who a request is from, as an {@link Authenticator} decided.
 *
 * @param userId the user's id, what {@link HubClients#user} targets; never empty
 * @param roles what {@link Authorize#roles()} checks
 * @param claims anything else the application wants its hubs to see
 * @param expiresAt when the credential stops being valid, or null for never: a connection is closed
 *     when it passes (its next invocation is refused and the client told why)
 */
public record UserIdentity(String userId, Set<String> roles, Map<String, Object> claims, Instant expiresAt) {

    public UserIdentity {
        Objects.requireNonNull(userId, "userId");
        if (userId.isEmpty()) {
            throw new IllegalArgumentException("userId must not be empty");
        }
        roles = Set.copyOf(roles);
        claims = Map.copyOf(claims);
    }

    /** A user with no roles, claims or expiry. */
    public static UserIdentity of(String userId) {
        return new UserIdentity(userId, Set.of(), Map.of(), null);
    }

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
