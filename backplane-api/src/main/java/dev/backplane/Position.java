package dev.backplane;

import java.util.Objects;

/**
 * An opaque place in a channel's history, produced by the transport. Its {@link #value()} can be
 * stored and turned back into a position with {@link #of(String)} to resume after a restart.
 * Positions are only comparable within one channel of one transport.
 */
public final class Position {

    /** The position of messages on a transport that has none (no replay). */
    public static final Position NONE = new Position("none");

    /** Before the oldest retained message: replaying from here replays all that is retained. */
    public static final Position EARLIEST = new Position("earliest");

    private final String value;

    private Position(String value) {
        this.value = value;
    }

    /**
     * A position from its stored form.
     *
     * @throws IllegalArgumentException if {@code value} is blank
     */
    public static Position of(String value) {
        Objects.requireNonNull(value, "position value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("a position value must not be blank");
        }
        if (value.equals(NONE.value)) {
            return NONE;
        }
        if (value.equals(EARLIEST.value)) {
            return EARLIEST;
        }
        return new Position(value);
    }

    /** The stored form, as the transport wrote it. */
    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Position p && p.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "Position[" + value + "]";
    }
}
