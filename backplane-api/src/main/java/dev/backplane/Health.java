package dev.backplane;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a component says about itself when probed: a status, details for people, and the health
 * of the components it is made of (a hub node holds its backplane's, a server its nodes').
 *
 * <p>{@link Status#DOWN} while the component cannot do its job (a backplane whose broker connection
 * is down or not made yet: never {@link Status#UP} then), {@link Status#DEGRADED} while it works
 * but is close to refusing work (an outbox or a subscriber's backlog near its bound),
 * {@link Status#UP} otherwise. A composite is as bad as its worst component.
 *
 * @param status the verdict
 * @param details named values for people and dashboards: strings, numbers and booleans, in a
 *     stable order
 * @param components the parts this verdict includes, by name
 */
public record Health(Status status, Map<String, Object> details, Map<String, Health> components) {

    /** Verdicts, from best to worst. */
    public enum Status {
        UP, DEGRADED, DOWN;

        /** The worse of the two. */
        public Status worst(Status other) {
            return other.ordinal() > ordinal() ? other : this;
        }
    }

    public Health {
        Objects.requireNonNull(status, "status");
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
        components = Collections.unmodifiableMap(new LinkedHashMap<>(components));
    }

    /** A health without components. */
    public static Health of(Status status, Map<String, Object> details) {
        return new Health(status, details, Map.of());
    }

    /**
     * A composite: {@code own} status and details, made worse by any component that is worse.
     */
    public static Health composite(Status own, Map<String, Object> details, Map<String, Health> components) {
        Status status = own;
        for (Health h : components.values()) {
            status = status.worst(h.status());
        }
        return new Health(status, details, components);
    }

    /** Whether the status is {@link Status#UP} or {@link Status#DEGRADED}: the component does its job. */
    public boolean isServing() {
        return status != Status.DOWN;
    }
}
