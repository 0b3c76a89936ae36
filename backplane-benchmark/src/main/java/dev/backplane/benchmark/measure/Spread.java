package dev.backplane.benchmark.measure;

import java.util.Arrays;
import java.util.List;

/**
 * The median, smallest and largest of one figure over the repeated runs of a point.
 *
 * @param median the middle value (the mean of the two middle values for an even count)
 * @param min the smallest
 * @param max the largest
 */
public record Spread(double median, double min, double max) {

    public static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN);
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Spread(median, sorted[0], sorted[n - 1]);
    }
}
