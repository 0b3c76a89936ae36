package dev.backplane.hub;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Who a send reaches: every connection of the hub, some connections, the members of groups, or
 * the connections of users, each optionally minus some connection ids. A connection matched
 * twice (in two of the groups, or of two of the users) receives the message once.
 *
 * <p>Create one with the factories: {@link #all()}, {@link #allExcept}, {@link #connection},
 * {@link #connections}, {@link #group}, {@link #groupExcept}, {@link #groups}, {@link #user},
 * {@link #users}.
 *
 * @param kind what the names are
 * @param names connection ids, group names or user ids (empty for {@link Kind#ALL})
 * @param excluded connection ids that never receive the message
 */
public record Target(Kind kind, List<String> names, Set<String> excluded) {

    /** What a target's names designate. */
    public enum Kind {
        ALL, CONNECTIONS, GROUPS, USERS
    }

    public Target {
        Objects.requireNonNull(kind, "kind");
        names = List.copyOf(new LinkedHashSet<>(requireNames(names, "names")));
        excluded = Set.copyOf(requireNames(excluded, "excluded connection ids"));
        if (kind == Kind.ALL && !names.isEmpty()) {
            throw new IllegalArgumentException("an ALL target takes no names, got " + names);
        }
        if (kind != Kind.ALL && names.isEmpty()) {
            throw new IllegalArgumentException("a " + kind + " target needs at least one name");
        }
    }

    public static Target all() {
        return new Target(Kind.ALL, List.of(), Set.of());
    }

    public static Target allExcept(String... connectionIds) {
        return allExcept(Arrays.asList(connectionIds));
    }

    public static Target allExcept(Collection<String> connectionIds) {
        return new Target(Kind.ALL, List.of(), Set.copyOf(requireNames(connectionIds, "excluded connection ids")));
    }

    public static Target connection(String connectionId) {
        return connections(List.of(requireName(connectionId, "connection id")));
    }

    public static Target connections(String... connectionIds) {
        return connections(Arrays.asList(connectionIds));
    }

    public static Target connections(Collection<String> connectionIds) {
        return new Target(Kind.CONNECTIONS, List.copyOf(requireNames(connectionIds, "connection ids")), Set.of());
    }

    public static Target group(String group) {
        return groups(List.of(requireName(group, "group name")));
    }

    public static Target groupExcept(String group, String... excludedConnectionIds) {
        return new Target(Kind.GROUPS, List.of(requireName(group, "group name")),
                Set.copyOf(requireNames(Arrays.asList(excludedConnectionIds), "excluded connection ids")));
    }

    public static Target groups(String... groups) {
        return groups(Arrays.asList(groups));
    }

    public static Target groups(Collection<String> groups) {
        return new Target(Kind.GROUPS, List.copyOf(requireNames(groups, "group names")), Set.of());
    }

    public static Target user(String userId) {
        return users(List.of(requireName(userId, "user id")));
    }

    public static Target users(String... userIds) {
        return users(Arrays.asList(userIds));
    }

    public static Target users(Collection<String> userIds) {
        return new Target(Kind.USERS, List.copyOf(requireNames(userIds, "user ids")), Set.of());
    }

    private static Collection<String> requireNames(Collection<String> names, String what) {
        Objects.requireNonNull(names, what);
        for (String name : names) {
            requireName(name, what);
        }
        return names;
    }

    private static String requireName(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be null or empty");
        }
        return name;
    }
}
