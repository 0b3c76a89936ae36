package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backplane.spi.Positions;

/**
 * {@link Position#of} and {@link Positions#wholeNumber} on any stored text: a position or an
 * {@link IllegalArgumentException} that names the value, never anything else; a whole number
 * written by a transport reads back as itself.
 */
class PositionFuzzTest {

    @FuzzTest(maxDuration = "4s")
    void readsStoredPositions(FuzzedDataProvider data) {
        long written = data.consumeLong();
        String stored = data.consumeRemainingAsString();

        Position position;
        try {
            position = Position.of(stored);
        } catch (IllegalArgumentException e) {
            assertThat(stored).isBlank();
            assertThat(e.getMessage()).contains("blank");
            return;
        }
        assertThat(position.value()).isEqualTo(stored);
        assertThat(Position.of(position.value())).isEqualTo(position);
        try {
            long n = Positions.wholeNumber(position, "fuzz", "a sequence number");
            assertThat(n).isNotNegative();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).contains(stored).contains("fuzz");
        }

        if (written >= 0) {
            Position transportWritten = Position.of(Long.toString(written));
            assertThat(Positions.wholeNumber(transportWritten, "fuzz", "a sequence number")).isEqualTo(written);
        }
    }
}
