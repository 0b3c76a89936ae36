package dev.backplane.benchmark;

import dev.backplane.benchmark.brokers.BenchBrokers;
import dev.backplane.benchmark.driver.Transports;
import dev.backplane.benchmark.report.HtmlReport;
import dev.backplane.benchmark.report.Machine;
import dev.backplane.benchmark.report.MarkdownSummary;
import dev.backplane.benchmark.report.Results;
import dev.backplane.benchmark.run.Progress;
import dev.backplane.benchmark.run.SuiteRunner;
import dev.backplane.benchmark.workload.Suite;
import dev.backplane.benchmark.workload.WorkloadFiles;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code bin/bench}: runs a suite of workloads on every transport, each backplane beside its
 * broker's raw client, and writes {@code results.json}, {@code report.html} and
 * {@code summary.md}. See the module's README.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) {
        // The clients' INFO lines would bury the progress bar; warnings and errors still show.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(run(args, System.out, Progress.console()));
    }

    /**
     * Runs the benchmark.
     *
     * @return 0 when every point was measured, 1 when some could not be (they are named in the
     *     report), 2 for a mistake in the arguments or the suite
     */
    public static int run(String[] args, PrintStream out, Progress progress) {
        BenchArguments arguments;
        Suite suite;
        try {
            if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
                out.print(BenchArguments.USAGE);
                return 0;
            }
            arguments = BenchArguments.parse(args);
            suite = WorkloadFiles.suite(arguments.suite());
            if (arguments.runs() > 0) {
                suite = new Suite(suite.name(), arguments.runs(), suite.workloads());
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bin/bench: " + e.getMessage());
            System.err.print(BenchArguments.USAGE);
            return 2;
        }
        List<String> families = arguments.transports().stream().map(Transports::family).filter(Objects::nonNull).distinct().toList();
        OffsetDateTime started = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS);
        long startNanos = System.nanoTime();
        out.println("bin/bench: suite " + suite.name() + " (" + suite.workloads().size() + " workloads, " + suite.runs()
                + " runs per point) on " + String.join(", ", arguments.transports()));
        try (BenchBrokers brokers = BenchBrokers.start(families, arguments.brokers())) {
            Map<String, String> brokerInfo = new LinkedHashMap<>();
            brokers.endpoints().forEach((family, e) -> {
                brokerInfo.put(family, e.version() + " at " + e.address() + " (" + e.origin() + ")");
                out.println("  " + family + ": " + brokerInfo.get(family));
            });
            Machine machine = Machine.current(brokerInfo);
            SuiteRunner runner = new SuiteRunner(suite, arguments.transports(), brokers, progress);
            runner.run();
            Results results = new Results(suite.name(), ("bin/bench " + String.join(" ", args)).trim(), started.toString(),
                    (System.nanoTime() - startNanos) / 1e9, suite.runs(), machine, runner.results(), runner.errors());
            write(results, arguments.out(), out);
            return results.errors().isEmpty() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("bin/bench: " + e);
            return 1;
        }
    }

    private static void write(Results results, Path dir, PrintStream out) throws java.io.IOException {
        Files.createDirectories(dir);
        results.write(dir.resolve("results.json"));
        String summary = MarkdownSummary.of(results);
        Files.writeString(dir.resolve("summary.md"), summary);
        Files.writeString(dir.resolve("report.html"), HtmlReport.of(results));
        out.println();
        out.println(summary);
        out.println("Wrote " + dir.resolve("results.json") + ", " + dir.resolve("report.html") + " and " + dir.resolve("summary.md")
                + String.format(" in %.0f s.", results.seconds()));
    }
}
