package dev.backplane.benchmark.report;

import dev.backplane.benchmark.run.PointResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One point of one transport with its backplane and raw-client results side by side.
 *
 * @param backplane the backplane's result
 * @param raw the raw client's, or null where there is none (the hub workload)
 */
public record Comparison(PointResult backplane, PointResult raw) {

    /** Below this share of its raw client, a backplane's figure is named in the report. */
    public static final double THRESHOLD = 0.8;

    /** Pairs every backplane result with the raw result of the same transport and point. */
    public static List<Comparison> of(List<PointResult> points) {
        Map<String, PointResult> raws = new LinkedHashMap<>();
        for (PointResult p : points) {
            if (p.side().equals(PointResult.RAW)) {
                raws.put(key(p), p);
            }
        }
        List<Comparison> pairs = new ArrayList<>();
        for (PointResult p : points) {
            if (p.side().equals(PointResult.BACKPLANE)) {
                pairs.add(new Comparison(p, raws.get(key(p))));
            }
        }
        return pairs;
    }

    private static String key(PointResult p) {
        return p.transport() + "|" + p.workload() + "|" + p.payloadBytes() + "|" + p.rate();
    }

    public String transport() {
        return backplane.transport();
    }

    public String workload() {
        return backplane.workload();
    }

    /** Whether the point sent as fast as it could (rather than at a fixed rate). */
    public boolean maxRate() {
        return backplane.rate().equals("max");
    }

    /** Backplane throughput (messages per second per node) over the raw client's, medians. */
    public Optional<Double> throughputRatio() {
        if (raw == null || !(raw.summary().messageRate().median() > 0)) {
            return Optional.empty();
        }
        return Optional.of(backplane.summary().messageRate().median() / raw.summary().messageRate().median());
    }

    /** Raw-client latency over the backplane's at one percentile (higher is better for the backplane, as the other ratios). */
    public Optional<Double> latencyRatio(double backplaneMicros, double rawMicros) {
        if (raw == null || !(backplaneMicros > 0) || !(rawMicros > 0)) {
            return Optional.empty();
        }
        return Optional.of(rawMicros / backplaneMicros);
    }

    public Optional<Double> p50Ratio() {
        return raw == null ? Optional.empty() : latencyRatio(backplane.summary().p50().median(), raw.summary().p50().median());
    }

    public Optional<Double> p99Ratio() {
        return raw == null ? Optional.empty() : latencyRatio(backplane.summary().p99().median(), raw.summary().p99().median());
    }

    /**
     * What falls below {@link #THRESHOLD} of the raw client here, in words, or an empty list. As
     * fast as possible: the throughput. At a fixed rate: the rate kept, the median and the 99th
     * percentile latency.
     */
    public List<String> shortfalls() {
        List<String> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        throughputRatio().filter(r -> r < THRESHOLD).ifPresent(r -> out.add(String.format("%s %.0f%% of raw",
                maxRate() ? "throughput" : "rate kept", r * 100)));
        if (!maxRate()) {
            p50Ratio().filter(r -> r < THRESHOLD).ifPresent(r -> out.add(String.format("p50 latency %.1fx raw's", 1 / r)));
            p99Ratio().filter(r -> r < THRESHOLD).ifPresent(r -> out.add(String.format("p99 latency %.1fx raw's", 1 / r)));
        }
        return out;
    }

    /** {@code throughput 128 B @ max}. */
    public String label() {
        return backplane.workload() + " " + backplane.payloadBytes() + " B @ "
                + (maxRate() ? "max" : Format.count(backplane.targetRate()) + "/s" + (backplane.rate().endsWith("%")
                        ? " (" + backplane.rate() + " of max)" : ""));
    }
}
