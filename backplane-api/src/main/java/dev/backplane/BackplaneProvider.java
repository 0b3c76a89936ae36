package dev.backplane;

import java.util.Set;

/**
 * Creates backplanes of one transport. Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.backplane.BackplaneProvider}; {@link Backplanes#open(String)} picks
 * the provider by the URI's scheme or by the {@code provider} option.
 *
 * <p>Implementations need a public no-argument constructor and must not connect to anything until
 * {@link #create} is called.
 */
public interface BackplaneProvider {

    /** Unique name, usable as the {@code provider} option ({@code "redis"}, {@code "redis-streams"}). */
    String name();

    /** URI schemes this provider serves when no provider is named. May be empty. */
    Set<String> schemes();

    /**
     * Options this provider accepts beyond {@link BackplaneConfig#COMMON_OPTIONS}. Any other
     * option is refused before {@link #create} is called.
     */
    Set<String> options();

    /**
     * Creates a backplane. It may connect lazily, but must fail with
     * {@link BackplaneConfigurationException} for configuration it cannot use and must not block
     * longer than {@link BackplaneConfig#connectTimeout()}.
     */
    Backplane create(BackplaneConfig config);
}
