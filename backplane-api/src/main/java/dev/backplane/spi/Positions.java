package dev.backplane.spi;

import dev.backplane.Position;

/** Positions of transports whose positions are whole numbers (sequences, offsets). */
public final class Positions {

    private Positions() {
    }

    /**
     * The whole number a position holds.
     *
     * @param transport the transport's name, for the message
     * @param expected what the number is, e.g. {@code "a stream sequence number"}
     * @throws IllegalArgumentException if the position is not a whole number from 0, naming the
     *     transport and what it expected; {@link Position#EARLIEST} and {@link Position#NONE} are
     *     refused too, so callers handle EARLIEST first
     */
    public static long wholeNumber(Position position, String transport, String expected) {
        try {
            long value = Long.parseLong(position.value());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("position '" + position.value() + "' was not produced by the " + transport
                + " transport (expected " + expected + ", a whole number from 0, or Position.EARLIEST)");
    }
}
