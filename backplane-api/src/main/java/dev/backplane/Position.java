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

    // The stored form of a position made from it; null for one made by ofWholeNumber.
    private final String value;
    // The whole number of a position made by ofWholeNumber; -1 for one made from its stored form.
    private final long number;
    // ofWholeNumber only: the stored form, made on first use. A racy cache: a thread that finds
    // it null formats the same text again.
    private String formatted;

    private Position(String value) {
        this.value = value;
        this.number = -1;
    }

    private Position(long number) {
        this.value = null;
        this.number = number;
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

    /**
     * A position whose stored form is the decimal form of {@code number}, for transports whose
     * positions are whole numbers (sequences, offsets): equal to {@code Position.of(Long.toString(number))}
     * in every way, with the text made only when {@link #value()} is first called.
     *
     * @throws IllegalArgumentException if {@code number} is negative
     */
    public static Position ofWholeNumber(long number) {
        if (number < 0) {
            throw new IllegalArgumentException("a whole-number position must not be negative, was " + number);
        }
        return new Position(number);
    }

    /** The stored form, as the transport wrote it. */
    public String value() {
        if (value != null) {
            return value;
        }
        String f = formatted;
        if (f == null) {
            f = Long.toString(number);
            formatted = f;
        }
        return f;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Position p)) {
            return false;
        }
        if (number >= 0 && p.number >= 0) {
            return number == p.number;
        }
        return p.value().equals(value());
    }

    @Override
    public int hashCode() {
        return value().hashCode();
    }

    @Override
    public String toString() {
        return "Position[" + value() + "]";
    }
}
