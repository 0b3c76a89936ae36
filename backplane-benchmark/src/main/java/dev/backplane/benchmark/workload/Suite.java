package dev.backplane.benchmark.workload;

import java.util.List;

/**
 * An ordered list of workloads run on every transport, each point repeated {@code runs} times.
 *
 * @param name the suite's name, for the report
 * @param runs measured runs per point (at least 3 for the report's median, min and max to mean much)
 * @param workloads in the order they run; a workload whose rate refers to a measured maximum comes
 *     after the workload it refers to
 */
public record Suite(String name, int runs, List<Workload> workloads) {

    public Suite {
        workloads = List.copyOf(workloads);
    }
}
