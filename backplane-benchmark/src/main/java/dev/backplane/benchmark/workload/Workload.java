package dev.backplane.benchmark.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One workload file: what is sent, by whom, to whom and how fast. A workload with several payload
 * sizes or rates is a series: it expands into one {@link Point} per combination.
 *
 * @param name unique in a suite; also the file's name without extension
 * @param description one sentence for the report
 * @param kind {@code PUBSUB}: publishers and subscribing nodes on the transport; {@code HUB}: a hub
 *     context sending to groups of connections spread over hub nodes
 * @param channels how many channels (groups, for a hub workload) the traffic is spread over, round robin
 * @param payloadBytes the payload sizes, each at least {@link #MIN_PAYLOAD} (the measurement header)
 * @param rates the rates, each per workload (all publishers together)
 * @param maxFrom for a percentage rate: the workload whose measured maximum it refers to
 * @param publishers publishing clients, each with its own connection
 * @param subscribingNodes subscribing clients (instances), each with its own connection, each
 *     subscribed to every channel
 * @param connections hub workloads: connections in all, spread evenly over the nodes and groups
 * @param window most messages in flight (sent, not yet delivered to every node) at once
 * @param warmupSeconds sending before the measured runs, not recorded
 * @param durationSeconds sending time of each measured run
 */
public record Workload(String name, String description, Kind kind, int channels, List<Integer> payloadBytes,
        List<Rate> rates, String maxFrom, int publishers, int subscribingNodes, int connections, int window,
        double warmupSeconds, double durationSeconds) {

    /** Bytes every payload starts with: run, publisher, sequence number and send time. */
    public static final int MIN_PAYLOAD = 16;

    /** The two shapes of workload. */
    public enum Kind { PUBSUB, HUB }

    public Workload {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        payloadBytes = List.copyOf(payloadBytes);
        rates = List.copyOf(rates);
        description = description == null ? "" : description;
    }

    /** The points of this workload: every payload size at every rate. */
    public List<Point> points() {
        List<Point> points = new ArrayList<>();
        for (int size : payloadBytes) {
            for (Rate rate : rates) {
                points.add(new Point(this, size, rate));
            }
        }
        return points;
    }

    /** Whether any rate refers to a measured maximum. */
    public boolean needsMax() {
        return rates.stream().anyMatch(r -> r.kind() == Rate.Kind.PERCENT_OF_MAX);
    }
}
