package dev.backplane.benchmark.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The machine a run was made on, recorded with its results.
 *
 * @param cores processors available to the JVM
 * @param cpu the processor's model name, from {@code /proc/cpuinfo} where there is one
 * @param memoryGiB physical memory
 * @param os operating system name, version and architecture
 * @param jvm runtime name, vendor and version
 * @param maxHeapMiB the benchmark JVM's maximum heap
 * @param loadAverageStart the one-minute load average when the run started (other work on the machine)
 * @param brokers each broker's version and where it ran, by family
 */
public record Machine(int cores, String cpu, double memoryGiB, String os, String jvm, long maxHeapMiB,
        double loadAverageStart, Map<String, String> brokers) {

    /** This machine, now. */
    public static Machine current(Map<String, String> brokers) {
        long memory = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() : -1;
        return new Machine(Runtime.getRuntime().availableProcessors(), cpuModel(), Math.round(memory / 1024.0 / 1024 / 1024 * 10) / 10.0,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() / 1024 / 1024,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Map.copyOf(brokers));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("(unknown)");
        } catch (IOException e) {
            return "(unknown)";
        }
    }

    /** One line for a table caption: {@code 2 cores (AMD EPYC ...), 23.4 GiB, OpenJDK 17.0.15, redis-server 7.0.15, ...}. */
    public String oneLine() {
        StringBuilder b = new StringBuilder().append(cores).append(" cores (").append(cpu).append("), ")
                .append(memoryGiB).append(" GiB, ").append(jvm);
        brokers.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> b.append(", ").append(e.getValue()));
        return b.toString();
    }
}
