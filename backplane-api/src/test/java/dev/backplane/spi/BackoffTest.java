package dev.backplane.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void stepsDoubleFromTheFirstUpToTheLongest() {
        Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofMillis(300), step -> step);

        assertThat(new long[] {backoff.nextMillis(), backoff.nextMillis(), backoff.nextMillis(), backoff.nextMillis(),
                backoff.nextMillis()}).containsExactly(50, 100, 200, 300, 300);
    }

    @Test
    void eachWaitIsJitteredWithinTheUpperHalfOfItsStep() {
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            Backoff backoff = new Backoff(Duration.ofMillis(1000), Duration.ofMillis(1000));
            long wait = backoff.nextMillis();
            assertThat(wait).isBetween(500L, 1000L);
            seen.add(wait);
        }
        // Instances that failed together must not all wait the same: a fleet would reconnect in lock step.
        assertThat(seen).hasSizeGreaterThan(20);
    }

    @Test
    void resetStartsOverFromTheFirstWait() {
        Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1), step -> step);
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
