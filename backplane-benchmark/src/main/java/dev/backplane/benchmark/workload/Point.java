package dev.backplane.benchmark.workload;

/**
 * One measured point of a workload: one payload size at one rate.
 *
 * @param workload the workload it belongs to
 * @param payloadBytes bytes per message
 * @param rate how fast it is sent
 */
public record Point(Workload workload, int payloadBytes, Rate rate) {

    /** Names the point in the report: {@code latency-128b @ 10000/s}. */
    public String label() {
        return workload.name() + " " + payloadBytes + " B @ " + (rate.kind() == Rate.Kind.MAX ? "max" : rate.label() + "/s");
    }
}
