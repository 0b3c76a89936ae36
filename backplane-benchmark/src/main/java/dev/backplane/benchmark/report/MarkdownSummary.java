package dev.backplane.benchmark.report;

import dev.backplane.benchmark.run.PointResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The summary table in Markdown, to paste into a README: per transport the ratios to the raw
 * client first, then the absolute figures, the machine and the command; then every point where a
 * backplane is below 80% of its raw client, and every point that lost, duplicated or failed.
 */
public final class MarkdownSummary {

    private MarkdownSummary() {
    }

    public static String of(Results results) {
        List<Comparison> all = Comparison.of(results.points());
        Set<String> transports = new LinkedHashSet<>();
        results.points().forEach(p -> transports.add(p.transport()));
        StringBuilder md = new StringBuilder();
        md.append("Suite `").append(results.suite()).append("`, `").append(results.command()).append("`, ")
                .append(results.startedAt()).append(", on ").append(results.machine().oneLine())
                .append(". Each figure is the median of ").append(results.runsPerPoint())
                .append(" runs; the ratio is the backplane's figure over its raw client's in the same run")
                .append(" (for latency, raw over backplane: below 1 the backplane is slower).\n\n");
        int channels = all.stream().filter(c -> c.workload().equals("channels")).mapToInt(c -> c.backplane().channels())
                .findFirst().orElse(0);
        int connections = all.stream().filter(c -> c.backplane().kind().equals("HUB")).mapToInt(c -> c.backplane().connections())
                .findFirst().orElse(0);
        md.append("| transport | throughput 1→1, 128 B: ratio (backplane / raw msg/s) | fan-out 1→4: ratio (deliveries/s) "
                + "| " + String.format(Locale.ROOT, "%,d", channels) + " channels: ratio (msg/s) "
                + "| at 10k msg/s, p50 / p99 / p99.9: backplane (raw) "
                + "| hub, " + String.format(Locale.ROOT, "%,d", connections) + " connections: deliveries/s (p99 at fixed rate) "
                + "| bytes allocated per delivery: backplane (raw) |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (String t : transports) {
            Optional<Comparison> throughput = find(all, t, c -> c.workload().equals("throughput") && c.maxRate());
            md.append("| ").append(t)
                    .append(" | ").append(ratioCell(throughput))
                    .append(" | ").append(ratioCell(find(all, t, c -> c.workload().equals("fan-out") && c.maxRate())))
                    .append(" | ").append(ratioCell(find(all, t, c -> c.workload().equals("channels") && c.maxRate())))
                    .append(" | ").append(latencyCell(find(all, t, c -> c.workload().equals("latency")
                            && c.backplane().rate().equals("10000"))))
                    .append(" | ").append(hubCell(all, t))
                    .append(" | ").append(allocationCell(throughput))
                    .append(" |\n");
        }
        List<String> below = new ArrayList<>();
        for (Comparison c : all) {
            List<String> s = c.shortfalls();
            if (!s.isEmpty()) {
                below.add("- " + c.transport() + ", " + c.label() + ": " + String.join(", ", s));
            }
        }
        md.append("\n**Below 80% of the raw client** (").append(below.size()).append(" points):\n\n");
        md.append(below.isEmpty() ? "- none\n" : String.join("\n", below) + "\n");
        List<String> troubled = new ArrayList<>();
        for (PointResult p : results.points()) {
            if (p.summary().troubled()) {
                troubled.add("- " + p.transport() + " " + p.side() + ", " + p.workload() + " " + p.payloadBytes() + " B @ "
                        + p.rate() + ": " + trouble(p.summary()));
            }
        }
        md.append("\n**Loss, duplicates, gaps, failures** (all runs of a point added up; ")
                .append(troubled.size()).append(" points):\n\n");
        md.append(troubled.isEmpty() ? "- none: every message of every run was delivered once\n" : String.join("\n", troubled) + "\n");
        if (!results.errors().isEmpty()) {
            md.append("\n**Not measured:**\n\n");
            results.errors().forEach(e -> md.append("- ").append(e).append('\n'));
        }
        return md.toString();
    }

    static String trouble(PointResult.Summary s) {
        List<String> parts = new ArrayList<>();
        if (s.lost() > 0) {
            parts.add(s.lost() + " lost");
        }
        if (s.duplicates() > 0) {
            parts.add(s.duplicates() + " duplicates");
        }
        if (s.gaps() > 0) {
            parts.add(s.gaps() + " gaps reported");
        }
        if (s.publishFailures() > 0) {
            parts.add(s.publishFailures() + " failed sends");
        }
        if (s.disconnects() > 0) {
            parts.add(s.disconnects() + " slow connections disconnected");
        }
        if (s.stalledRuns() > 0) {
            parts.add(s.stalledRuns() + " runs stalled");
        }
        return String.join(", ", parts);
    }

    private static Optional<Comparison> find(List<Comparison> all, String transport, Predicate<Comparison> which) {
        return all.stream().filter(c -> c.transport().equals(transport)).filter(which).findFirst();
    }

    private static String ratioCell(Optional<Comparison> c) {
        if (c.isEmpty() || c.get().raw() == null) {
            return "-";
        }
        double ratio = c.get().throughputRatio().orElse(Double.NaN);
        String r = Format.ratio(ratio);
        return (ratio < Comparison.THRESHOLD ? "**" + r + "**" : r) + " (" + Format.count(c.get().backplane().summary().messageRate().median())
                + " / " + Format.count(c.get().raw().summary().messageRate().median()) + ")";
    }

    private static String latencyCell(Optional<Comparison> c) {
        if (c.isEmpty() || c.get().raw() == null) {
            return "-";
        }
        PointResult.Summary b = c.get().backplane().summary();
        PointResult.Summary r = c.get().raw().summary();
        return Format.micros(b.p50().median()) + " / " + Format.micros(b.p99().median()) + " / " + Format.micros(b.p999().median())
                + " (" + Format.micros(r.p50().median()) + " / " + Format.micros(r.p99().median()) + " / "
                + Format.micros(r.p999().median()) + ")";
    }

    private static String hubCell(List<Comparison> all, String transport) {
        Optional<Comparison> max = find(all, transport, c -> c.backplane().kind().equals("HUB") && c.maxRate());
        Optional<Comparison> fixed = find(all, transport, c -> c.backplane().kind().equals("HUB") && !c.maxRate());
        if (max.isEmpty() && fixed.isEmpty()) {
            return "-";
        }
        String cell = max.map(c -> Format.count(c.backplane().summary().deliveryRate().median())).orElse("-");
        if (fixed.isPresent()) {
            PointResult.Summary s = fixed.get().backplane().summary();
            cell += " (p99 " + Format.micros(s.p99().median()) + " at " + Format.count(s.deliveryRate().median()) + "/s)";
        }
        return cell;
    }

    private static String allocationCell(Optional<Comparison> c) {
        if (c.isEmpty() || c.get().raw() == null) {
            return "-";
        }
        double b = c.get().backplane().summary().allocatedBytesPerDelivery().median();
        double r = c.get().raw().summary().allocatedBytesPerDelivery().median();
        return (b < 0 ? "-" : Format.count(b)) + " (" + (r < 0 ? "-" : Format.count(r)) + ")";
    }
}
