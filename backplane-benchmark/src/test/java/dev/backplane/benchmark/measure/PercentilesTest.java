package dev.backplane.benchmark.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void percentilesOfOneToTenThousandMicrosecondsAreTheValuesAtThoseRanks() {
        Histogram h = new Histogram(NodeRecorder.HIGHEST_NANOS, 3);
        for (int us = 1; us <= 10_000; us++) {
            h.recordValue(us * 1000L);
        }

        LatencySummary s = LatencySummary.of(h);

        // Three significant digits: each figure within 0.1% of the exact one.
        assertThat(s.count()).isEqualTo(10_000);
        assertThat(s.p50()).isCloseTo(5_000, within(5.0));
        assertThat(s.p90()).isCloseTo(9_000, within(9.0));
        assertThat(s.p99()).isCloseTo(9_900, within(9.9));
        assertThat(s.p999()).isCloseTo(9_990, within(10.0));
        assertThat(s.max()).isCloseTo(10_000, within(10.0));
        assertThat(s.mean()).isCloseTo(5_000.5, within(5.0));
    }

    @Test
    void aFewSlowMessagesShowInTheHighPercentilesOnly() {
        Histogram h = new Histogram(NodeRecorder.HIGHEST_NANOS, 3);
        h.recordValueWithCount(100_000, 990);        // 100 us
        h.recordValueWithCount(50_000_000, 10);      // 50 ms

        LatencySummary s = LatencySummary.of(h);

        assertThat(s.p50()).isCloseTo(100, within(0.1));
        assertThat(s.p99()).isCloseTo(100, within(0.1));
        assertThat(s.p999()).isCloseTo(50_000, within(50.0));
    }

    @Test
    void anEmptyRunHasNoLatencies() {
        assertThat(LatencySummary.of(new Histogram(NodeRecorder.HIGHEST_NANOS, 3)).count()).isZero();
    }

    @Test
    void theSpreadOfRunsIsTheirMedianMinimumAndMaximum() {
        assertThat(Spread.of(List.of(3.0, 1.0, 2.0))).isEqualTo(new Spread(2.0, 1.0, 3.0));
        assertThat(Spread.of(List.of(4.0, 1.0, 2.0, 10.0))).isEqualTo(new Spread(3.0, 1.0, 10.0));
        assertThat(Spread.of(List.of()).median()).isNaN();
    }
}
