package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Positions from their stored form and from whole numbers are one and the same kind of value. */
class PositionTest {

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 9, 10, 42, 1_000_000, Long.MAX_VALUE})
    void aWholeNumberPositionIsTheSameAsOneFromItsText(long number) {
        Position lazy = Position.ofWholeNumber(number);
        Position stored = Position.of(Long.toString(number));
        assertThat(lazy).isEqualTo(stored).hasSameHashCodeAs(stored);
        assertThat(stored).isEqualTo(lazy);
        assertThat(lazy.value()).isEqualTo(Long.toString(number));
        assertThat(lazy).hasToString("Position[" + number + "]");
        assertThat(Position.of(lazy.value())).isEqualTo(lazy);
    }

    @Test
    void theHashCodeIsTheSameBeforeAndAfterTheTextIsMade() {
        Position first = Position.ofWholeNumber(123);
        int hash = first.hashCode();
        Position second = Position.ofWholeNumber(123);
        second.value();
        assertThat(second.hashCode()).isEqualTo(hash).isEqualTo(Position.of("123").hashCode());
        Set<Position> set = new HashSet<>(Set.of(Position.of("7"), Position.ofWholeNumber(8)));
        assertThat(set).contains(Position.ofWholeNumber(7), Position.of("8"));
    }

    @Test
    void wholeNumberPositionsDifferAsTheirTextsDo() {
        assertThat(Position.ofWholeNumber(1)).isNotEqualTo(Position.ofWholeNumber(2));
        assertThat(Position.ofWholeNumber(1)).isNotEqualTo(Position.of("01"));
        assertThat(Position.of("01")).isNotEqualTo(Position.ofWholeNumber(1));
        assertThat(Position.ofWholeNumber(0)).isNotEqualTo(Position.EARLIEST).isNotEqualTo(Position.NONE);
        assertThat(Position.ofWholeNumber(0)).isNotEqualTo("0");
    }

    @Test
    void aNegativeWholeNumberIsRefused() {
        assertThatThrownBy(() -> Position.ofWholeNumber(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative, was -1");
    }

    @Test
    void storedFormsKeepTheirRules() {
        assertThat(Position.of("none")).isSameAs(Position.NONE);
        assertThat(Position.of("earliest")).isSameAs(Position.EARLIEST);
        assertThatThrownBy(() -> Position.of(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Position.of(null)).isInstanceOf(NullPointerException.class);
        assertThat(Position.of("1700000000000-0").value()).isEqualTo("1700000000000-0");
    }
}
