package dev.backplane.benchmark.measure;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of one run's latencies, in microseconds.
 *
 * @param count latencies recorded
 * @param p50 median
 * @param p90 90th percentile
 * @param p99 99th percentile
 * @param p999 99.9th percentile
 * @param max the largest
 * @param mean the mean
 */
public record LatencySummary(long count, double p50, double p90, double p99, double p999, double max, double mean) {

    /** Reads a histogram of nanoseconds. An empty one gives zeros with a count of 0. */
    public static LatencySummary of(Histogram nanos) {
        if (nanos.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(nanos.getTotalCount(), micros(nanos.getValueAtPercentile(50)),
                micros(nanos.getValueAtPercentile(90)), micros(nanos.getValueAtPercentile(99)),
                micros(nanos.getValueAtPercentile(99.9)), micros(nanos.getMaxValue()), nanos.getMean() / 1000.0);
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }
}
