package dev.backplane.benchmark.run;

import dev.backplane.benchmark.measure.Spread;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Every run of one point on one side, and their spread.
 *
 * @param transport {@code mem}, {@code redis}, ...
 * @param side {@code backplane} or {@code raw}
 * @param client what was measured, e.g. {@code raw Jedis PUBLISH (pipelined) / SUBSCRIBE}
 * @param workload the workload's name
 * @param kind {@code PUBSUB} or {@code HUB}
 * @param payloadBytes bytes per message
 * @param rate the rate as written in the workload ({@code max}, {@code 10000}, {@code 80%})
 * @param targetRate messages per second asked for, 0 for as fast as the window allows
 * @param channels channels (groups) the traffic is spread over
 * @param publishers publishing clients
 * @param nodes subscribing nodes (hub nodes)
 * @param connections hub connections, 0 otherwise
 * @param runs the measured runs, warm-up excluded
 * @param summary medians, minima and maxima over the runs
 */
public record PointResult(String transport, String side, String client, String workload, String kind, int payloadBytes,
        String rate, double targetRate, int channels, int publishers, int nodes, int connections, List<RunResult> runs,
        Summary summary) {

    public static final String BACKPLANE = "backplane";
    public static final String RAW = "raw";

    /**
     * Medians, minima and maxima over the runs, and totals of what went wrong in them.
     *
     * @param messageRate messages per second per node
     * @param deliveryRate deliveries per second, all nodes
     * @param p50 median latency, microseconds
     * @param p99 99th percentile, microseconds
     * @param p999 99.9th percentile, microseconds
     * @param maxLatency largest latency, microseconds
     * @param allocatedBytesPerDelivery bytes allocated per delivery
     * @param lost deliveries lost, all runs
     * @param duplicates duplicates, all runs
     * @param gaps reported gaps, all runs
     * @param sequenceBreaks sequence breaks, all runs
     * @param publishFailures failed sends, all runs
     * @param disconnects hub connections disconnected as slow, all runs
     * @param stalledRuns runs that ended early
     */
    public record Summary(Spread messageRate, Spread deliveryRate, Spread p50, Spread p99, Spread p999, Spread maxLatency,
            Spread allocatedBytesPerDelivery, long lost, long duplicates, long gaps, long sequenceBreaks,
            long publishFailures, long disconnects, int stalledRuns) {

        static Summary of(List<RunResult> runs) {
            return new Summary(spread(runs, RunResult::messageRate), spread(runs, RunResult::deliveryRate),
                    spread(runs, r -> r.latency().p50()), spread(runs, r -> r.latency().p99()),
                    spread(runs, r -> r.latency().p999()), spread(runs, r -> r.latency().max()),
                    spread(runs, RunResult::allocatedBytesPerDelivery),
                    runs.stream().mapToLong(RunResult::lost).sum(), runs.stream().mapToLong(RunResult::duplicates).sum(),
                    runs.stream().mapToLong(RunResult::gaps).sum(), runs.stream().mapToLong(RunResult::sequenceBreaks).sum(),
                    runs.stream().mapToLong(RunResult::publishFailures).sum(),
                    runs.stream().mapToLong(RunResult::disconnects).sum(), (int) runs.stream().filter(RunResult::stalled).count());
        }

        private static Spread spread(List<RunResult> runs, ToDoubleFunction<RunResult> figure) {
            return Spread.of(runs.stream().map(figure::applyAsDouble).toList());
        }

        /** Whether any run lost, duplicated, failed, stalled or was told of a gap. */
        public boolean troubled() {
            return lost > 0 || duplicates > 0 || gaps > 0 || publishFailures > 0 || disconnects > 0 || stalledRuns > 0;
        }
    }

    static PointResult of(String transport, String side, String client, dev.backplane.benchmark.workload.Point point,
            double targetRate, List<RunResult> runs) {
        var w = point.workload();
        return new PointResult(transport, side, client, w.name(), w.kind().name(), point.payloadBytes(), point.rate().label(),
                targetRate, w.channels(), w.publishers(), w.subscribingNodes(), w.connections(), List.copyOf(runs),
                Summary.of(runs));
    }
}
