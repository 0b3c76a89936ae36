package dev.backplane.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void waitsDoubleFromTheFirstUpToTheLongest() {
        Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofMillis(300));

        assertThat(new long[] {backoff.nextMillis(), backoff.nextMillis(), backoff.nextMillis(), backoff.nextMillis(),
                backoff.nextMillis()}).containsExactly(50, 100, 200, 300, 300);
    }

    @Test
    void resetStartsOverFromTheFirstWait() {
        Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
        backoff.nextMillis();
        backoff.nextMillis();

        backoff.reset();

        assertThat(backoff.nextMillis()).isEqualTo(50);
    }

    @Test
    void pauseReportsAnInterruptAndKeepsTheFlag() {
        Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1));
        Thread.currentThread().interrupt();

        assertThat(backoff.pause()).isFalse();
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void refusesALongestWaitShorterThanTheFirst() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first <= longest");
    }
}
