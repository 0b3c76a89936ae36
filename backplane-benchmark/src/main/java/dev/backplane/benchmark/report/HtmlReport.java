package dev.backplane.benchmark.report;

import dev.backplane.benchmark.measure.Spread;
import dev.backplane.benchmark.run.PointResult;
import dev.backplane.benchmark.run.RunResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The report as one self-contained HTML page: inline SVG charts and tables, no script, no
 * network. Sections (each with an {@code id}): machine, summary, throughput, latency, payload,
 * fan-out, channels, hub, allocation, loss, points.
 */
public final class HtmlReport {

    /** The ids of the sections, in page order. */
    public static final List<String> SECTIONS = List.of("machine", "summary", "throughput", "latency", "payload",
            "fan-out", "channels", "hub", "allocation", "loss", "points");

    private static final String BACKPLANE_COLOR = "#1f77b4";
    private static final String RAW_COLOR = "#a0a0a0";
    private static final String[] PERCENTILE_COLORS = {"#2ca02c", "#ff7f0e", "#d62728"};

    private final Results results;
    private final List<Comparison> comparisons;
    private final List<String> transports;
    private final StringBuilder html = new StringBuilder();

    private HtmlReport(Results results) {
        this.results = results;
        this.comparisons = Comparison.of(results.points());
        Set<String> t = new LinkedHashSet<>();
        results.points().forEach(p -> t.add(p.transport()));
        this.transports = List.copyOf(t);
    }

    public static String of(Results results) {
        return new HtmlReport(results).render();
    }

    private String render() {
        html.append("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Backplane benchmark: ")
                .append(Format.html(results.suite())).append("</title><style>")
                .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}")
                .append("th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.bad{background:#fde0e0}")
                .append(".small{color:#666;font-size:12px}svg{margin:0.5em 0;border:1px solid #eee}code{background:#f5f5f5}")
                .append("</style></head><body>");
        html.append("<h1>Backplane benchmark</h1><p>Suite <code>").append(Format.html(results.suite())).append("</code>, <code>")
                .append(Format.html(results.command())).append("</code>, started ").append(Format.html(results.startedAt()))
                .append(", took ").append(Math.round(results.seconds())).append(" s. Every point: warm-up excluded, ")
                .append(results.runsPerPoint()).append(" measured runs, median shown with min and max. The backplane and its ")
                .append("broker's raw client ran in alternation in the same run; ratios are backplane over raw (latency: raw over backplane).</p>");
        machine();
        summary();
        throughput();
        latency();
        payload();
        bars("fan-out", "Fan-out: 1 publisher to 4 subscribing nodes, 128 B", "fan-out", "deliveries / s, all nodes",
                p -> p.summary().deliveryRate());
        bars("channels", "1,000 channels, traffic spread over them", "channels", "messages / s", p -> p.summary().messageRate());
        hub();
        allocation();
        loss();
        points();
        if (!results.errors().isEmpty()) {
            html.append("<h2 id='errors'>Not measured</h2><ul>");
            results.errors().forEach(e -> html.append("<li>").append(Format.html(e)).append("</li>"));
            html.append("</ul>");
        }
        return html.append("</body></html>").toString();
    }

    private void machine() {
        Machine m = results.machine();
        html.append("<h2 id='machine'>Machine</h2><table>");
        row("cores", m.cores() + " (" + m.cpu() + ")");
        row("memory", m.memoryGiB() + " GiB");
        row("operating system", m.os());
        row("JVM", m.jvm() + ", max heap " + m.maxHeapMiB() + " MiB");
        row("load average at start", String.format(java.util.Locale.ROOT, "%.2f", m.loadAverageStart()));
        m.brokers().forEach((k, v) -> row(k, v));
        html.append("</table>");
    }

    private void row(String key, String value) {
        html.append("<tr><th>").append(Format.html(key)).append("</th><td style='text-align:left'>").append(Format.html(value)).append("</td></tr>");
    }

    private void summary() {
        html.append("<h2 id='summary'>Summary</h2>").append(markdownToHtml(MarkdownSummary.of(results)));
    }

    private void throughput() {
        html.append("<h2 id='throughput'>Throughput per transport, with its raw client</h2>")
                .append("<p class='small'>1 publisher, 1 subscribing node, 128 B, as fast as a window of in-flight messages allows. "
                        + "Whiskers: min and max of the runs; label: backplane / raw.</p>");
        html.append(barChart("Throughput, 128 B, 1 -> 1", c -> c.workload().equals("throughput") && c.maxRate(),
                p -> p.summary().messageRate(), "messages / s"));
    }

    private void bars(String id, String title, String workload, String unit, Function<PointResult, Spread> figure) {
        html.append("<h2 id='").append(id).append("'>").append(Format.html(title)).append("</h2>");
        html.append(barChart(title, c -> c.workload().equals(workload) && c.maxRate(), figure, unit));
    }

    private String barChart(String title, Predicate<Comparison> which, Function<PointResult, Spread> figure, String unit) {
        List<String> categories = new ArrayList<>();
        List<Comparison> chosen = new ArrayList<>();
        for (String t : transports) {
            comparisons.stream().filter(c -> c.transport().equals(t)).filter(which).findFirst().ifPresent(c -> {
                categories.add(t);
                chosen.add(c);
            });
        }
        if (chosen.isEmpty()) {
            return "<p>Not in this suite.</p>";
        }
        int n = chosen.size();
        double[] bv = new double[n], bmin = new double[n], bmax = new double[n], rv = new double[n], rmin = new double[n], rmax = new double[n];
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) {
            Spread b = figure.apply(chosen.get(i).backplane());
            bv[i] = b.median();
            bmin[i] = b.min();
            bmax[i] = b.max();
            PointResult raw = chosen.get(i).raw();
            Spread r = raw == null ? new Spread(Double.NaN, Double.NaN, Double.NaN) : figure.apply(raw);
            rv[i] = r.median();
            rmin[i] = r.min();
            rmax[i] = r.max();
            labels[i] = raw == null || !(r.median() > 0) ? null : Format.ratio(b.median() / r.median());
        }
        return Svg.bars(title, categories, List.of(new Svg.Bars("raw client", RAW_COLOR, rv, rmin, rmax, null),
                new Svg.Bars("backplane", BACKPLANE_COLOR, bv, bmin, bmax, labels)), unit);
    }

    private void latency() {
        html.append("<h2 id='latency'>Latency percentiles against rate</h2><p class='small'>128 B, 1 -> 1, at fixed rates; "
                + "latency from each message's intended send time (no coordinated omission). Solid: backplane, dashed: raw client.</p>");
        for (String t : transports) {
            List<Comparison> points = comparisons.stream().filter(c -> c.transport().equals(t) && c.workload().equals("latency"))
                    .sorted(Comparator.comparingDouble(c -> c.backplane().targetRate())).toList();
            if (points.isEmpty()) {
                continue;
            }
            List<Svg.Line> lines = new ArrayList<>();
            String[] names = {"p50", "p99", "p99.9"};
            List<Function<PointResult, Spread>> figures = List.of(p -> p.summary().p50(), p -> p.summary().p99(), p -> p.summary().p999());
            for (int k = 0; k < 3; k++) {
                lines.add(line("backplane " + names[k], PERCENTILE_COLORS[k], false, points, c -> c.backplane(), figures.get(k)));
                lines.add(line("raw " + names[k], PERCENTILE_COLORS[k], true, points, c -> c.raw(), figures.get(k)));
            }
            html.append(Svg.lines(t + ": latency against rate", lines, "messages / s", "microseconds", true, true));
        }
    }

    private static Svg.Line line(String name, String color, boolean dashed, List<Comparison> points,
            Function<Comparison, PointResult> side, Function<PointResult, Spread> figure) {
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            PointResult p = side.apply(points.get(i));
            xs[i] = points.get(i).backplane().targetRate();
            ys[i] = p == null ? Double.NaN : figure.apply(p).median();
        }
        return new Svg.Line(name, color, dashed, xs, ys);
    }

    private void payload() {
        html.append("<h2 id='payload'>Payload size</h2><p class='small'>1 -> 1, as fast as the window allows, from 16 B to 64 KiB. "
                + "Solid: backplane, dashed: raw client.</p>");
        for (String t : transports) {
            List<Comparison> points = comparisons.stream().filter(c -> c.transport().equals(t) && c.workload().equals("payload-size"))
                    .sorted(Comparator.comparingInt(c -> c.backplane().payloadBytes())).toList();
            if (points.isEmpty()) {
                continue;
            }
            double[] xs = points.stream().mapToDouble(c -> c.backplane().payloadBytes()).toArray();
            double[] b = points.stream().mapToDouble(c -> c.backplane().summary().messageRate().median()).toArray();
            double[] r = points.stream().mapToDouble(c -> c.raw() == null ? Double.NaN : c.raw().summary().messageRate().median()).toArray();
            double[] bm = new double[xs.length];
            double[] rm = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                bm[i] = b[i] * xs[i] / 1e6;
                rm[i] = r[i] * xs[i] / 1e6;
            }
            html.append(Svg.lines(t + ": messages / s by payload size", List.of(
                    new Svg.Line("backplane", BACKPLANE_COLOR, false, xs, b), new Svg.Line("raw client", RAW_COLOR, true, xs, r)),
                    "payload bytes", "messages / s", true, true));
            html.append(Svg.lines(t + ": MB / s by payload size", List.of(
                    new Svg.Line("backplane", BACKPLANE_COLOR, false, xs, bm), new Svg.Line("raw client", RAW_COLOR, true, xs, rm)),
                    "payload bytes", "MB / s", true, true));
        }
    }

    private void hub() {
        html.append("<h2 id='hub'>Hub level</h2><p class='small'>A HubContext sends to groups of connections spread over 4 hub "
                + "nodes; deliveries per second to the connections' sinks and send-to-sink latency. No raw client: the hub is "
                + "the backplane's own layer.</p>");
        List<Comparison> hubs = comparisons.stream().filter(c -> c.backplane().kind().equals("HUB")).toList();
        if (hubs.isEmpty()) {
            html.append("<p>Not in this suite.</p>");
            return;
        }
        List<String> categories = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Double> mins = new ArrayList<>();
        List<Double> maxs = new ArrayList<>();
        for (Comparison c : hubs) {
            if (c.maxRate()) {
                categories.add(c.transport());
                Spread s = c.backplane().summary().deliveryRate();
                values.add(s.median());
                mins.add(s.min());
                maxs.add(s.max());
            }
        }
        html.append(Svg.bars("Hub: deliveries / s to sinks, as fast as possible", categories, List.of(new Svg.Bars("backplane + hub",
                BACKPLANE_COLOR, values.stream().mapToDouble(Double::doubleValue).toArray(),
                mins.stream().mapToDouble(Double::doubleValue).toArray(), maxs.stream().mapToDouble(Double::doubleValue).toArray(), null)),
                "deliveries / s"));
        html.append("<table><tr><th>transport</th><th>point</th><th>connections</th><th>sends / s</th><th>deliveries / s</th>"
                + "<th>p50</th><th>p99</th><th>p99.9</th><th>max</th><th>trouble</th></tr>");
        for (Comparison c : hubs) {
            PointResult.Summary s = c.backplane().summary();
            html.append("<tr").append(s.troubled() ? " class='bad'" : "").append("><td>").append(c.transport()).append("</td><td>")
                    .append(Format.html(c.label())).append("</td><td>").append(c.backplane().connections()).append("</td><td>")
                    .append(Format.count(s.messageRate().median())).append("</td><td>").append(spread(s.deliveryRate(), Format::count))
                    .append("</td><td>").append(Format.micros(s.p50().median())).append("</td><td>").append(Format.micros(s.p99().median()))
                    .append("</td><td>").append(Format.micros(s.p999().median())).append("</td><td>").append(Format.micros(s.maxLatency().median()))
                    .append("</td><td>").append(Format.html(MarkdownSummary.trouble(s))).append("</td></tr>");
        }
        html.append("</table>");
    }

    private void allocation() {
        html.append("<h2 id='allocation'>Bytes allocated per delivered message</h2><p class='small'>All threads of the benchmark's "
                + "JVM (brokers run in processes of their own), 1 -> 1, 128 B, as fast as possible; includes the harness's own "
                + "payload arrays and recording, alike for both sides. Label: backplane / raw.</p>");
        html.append(barChart("Allocated bytes per delivery", c -> c.workload().equals("throughput") && c.maxRate(),
                p -> p.summary().allocatedBytesPerDelivery(), "bytes / delivery"));
    }

    private void loss() {
        html.append("<h2 id='loss'>Loss, duplicates and gaps, every run</h2><p class='small'>Lost: owed (every message to every node) "
                + "and not delivered by the end of the run. Gaps: losses the client itself reported. Breaks: deliveries out of "
                + "sequence on their channel. Rows with any loss, duplicate, gap, failure or stall are marked.</p>");
        html.append("<table><tr><th>transport</th><th>side</th><th>point</th><th>run</th><th>sent</th><th>owed</th><th>delivered</th>"
                + "<th>lost</th><th>duplicates</th><th>gaps</th><th>breaks</th><th>failed sends</th><th>stalled</th><th>last failure</th></tr>");
        for (PointResult p : results.points()) {
            for (RunResult r : p.runs()) {
                html.append("<tr").append(r.troubled() ? " class='bad'" : "").append("><td>").append(p.transport()).append("</td><td>")
                        .append(p.side()).append("</td><td>").append(Format.html(p.workload() + " " + p.payloadBytes() + " B @ " + p.rate()))
                        .append("</td><td>").append(r.run()).append("</td><td>").append(r.sent()).append("</td><td>").append(r.expected())
                        .append("</td><td>").append(r.delivered()).append("</td><td>").append(r.lost()).append("</td><td>")
                        .append(r.duplicates()).append("</td><td>").append(r.gaps()).append("</td><td>").append(r.sequenceBreaks())
                        .append("</td><td>").append(r.publishFailures()).append("</td><td>").append(r.stalled() ? "yes" : "")
                        .append("</td><td style='text-align:left'>").append(Format.html(r.lastFailure())).append("</td></tr>");
            }
        }
        html.append("</table>");
    }

    private void points() {
        html.append("<h2 id='points'>Every point</h2><p class='small'>Median (min - max) over the runs.</p>");
        html.append("<table><tr><th>transport</th><th>point</th><th>side</th><th>msg / s per node</th><th>deliveries / s</th>"
                + "<th>ratio</th><th>p50</th><th>p99</th><th>p99.9</th><th>max</th><th>B / delivery</th><th>trouble</th></tr>");
        for (Comparison c : comparisons) {
            for (PointResult p : c.raw() == null ? List.of(c.backplane()) : List.of(c.raw(), c.backplane())) {
                PointResult.Summary s = p.summary();
                String ratio = p == c.backplane() ? c.throughputRatio().map(Format::ratio).orElse("") : "";
                html.append("<tr").append(s.troubled() ? " class='bad'" : "").append("><td>").append(p.transport()).append("</td><td>")
                        .append(Format.html(c.label())).append("</td><td>").append(p.side()).append("</td><td>")
                        .append(spread(s.messageRate(), Format::count)).append("</td><td>").append(Format.count(s.deliveryRate().median()))
                        .append("</td><td>").append(ratio).append("</td><td>").append(spread(s.p50(), Format::micros)).append("</td><td>")
                        .append(spread(s.p99(), Format::micros)).append("</td><td>").append(spread(s.p999(), Format::micros))
                        .append("</td><td>").append(Format.micros(s.maxLatency().median())).append("</td><td>")
                        .append(s.allocatedBytesPerDelivery().median() < 0 ? "-" : Format.count(s.allocatedBytesPerDelivery().median()))
                        .append("</td><td style='text-align:left'>").append(Format.html(MarkdownSummary.trouble(s))).append("</td></tr>");
            }
        }
        html.append("</table>");
    }

    private static String spread(Spread s, Function<Double, String> format) {
        return format.apply(s.median()) + " <span class='small'>(" + format.apply(s.min()) + " - " + format.apply(s.max()) + ")</span>";
    }

    /** The little Markdown the summary uses: paragraphs, one table, lists, bold and code. */
    static String markdownToHtml(String md) {
        StringBuilder out = new StringBuilder();
        boolean inTable = false;
        boolean header = false;
        boolean inList = false;
        for (String line : md.split("\n")) {
            if (line.startsWith("|")) {
                if (line.startsWith("|---")) {
                    continue;
                }
                if (!inTable) {
                    out.append("<table>");
                    inTable = true;
                    header = true;
                }
                String[] cells = line.substring(1, line.length() - 1).split("\\|");
                out.append("<tr>");
                for (String cell : cells) {
                    out.append(header ? "<th>" : "<td>").append(inline(cell.trim())).append(header ? "</th>" : "</td>");
                }
                out.append("</tr>");
                header = false;
                continue;
            }
            if (inTable) {
                out.append("</table>");
                inTable = false;
            }
            if (line.startsWith("- ")) {
                if (!inList) {
                    out.append("<ul>");
                    inList = true;
                }
                out.append("<li>").append(inline(line.substring(2))).append("</li>");
                continue;
            }
            if (inList) {
                out.append("</ul>");
                inList = false;
            }
            if (!line.isBlank()) {
                out.append("<p>").append(inline(line)).append("</p>");
            }
        }
        if (inTable) {
            out.append("</table>");
        }
        if (inList) {
            out.append("</ul>");
        }
        return out.toString();
    }

    private static String inline(String text) {
        return Format.html(text).replaceAll("\\*\\*([^*]+)\\*\\*", "<b>$1</b>").replaceAll("`([^`]+)`", "<code>$1</code>");
    }
}
