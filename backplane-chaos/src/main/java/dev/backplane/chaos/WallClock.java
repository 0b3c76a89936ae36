package dev.backplane.chaos;

import java.time.Instant;

/** Wall-clock microseconds, comparable across the processes of one machine. */
final class WallClock {

    private WallClock() {
    }

    static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
