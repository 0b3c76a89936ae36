package dev.backplane.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.benchmark.report.HtmlReport;
import dev.backplane.benchmark.report.Results;
import dev.backplane.benchmark.run.PointResult;
import dev.backplane.benchmark.run.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickRunTest {

    @Test
    void aQuickRunOnMemWritesResultsForEveryWorkloadOnBothSidesAndAReportWithEverySection(@TempDir Path out) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream bar = new ByteArrayOutputStream();

        int exit = Bench.run(new String[] {"--quick", "--transports", "mem", "--out", out.toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8), new Progress(new PrintStream(bar, true, StandardCharsets.UTF_8), false));

        assertThat(exit).as(console.toString(StandardCharsets.UTF_8)).isZero();
        Results results = Results.read(out.resolve("results.json"));
        assertThat(results.errors()).isEmpty();
        assertThat(results.machine().cores()).isPositive();
        assertThat(results.points()).extracting(PointResult::workload)
                .contains("throughput", "fan-out", "latency", "payload-size", "channels", "hub");
        for (String workload : List.of("throughput", "fan-out", "latency", "payload-size", "channels")) {
            assertThat(results.points()).filteredOn(p -> p.workload().equals(workload)).extracting(PointResult::side)
                    .contains(PointResult.RAW, PointResult.BACKPLANE);
        }
        for (PointResult p : results.points()) {
            assertThat(p.runs()).as(p.workload()).hasSize(3);
            assertThat(p.runs()).allSatisfy(r -> {
                assertThat(r.sent()).isPositive();
                // In one JVM nothing may go missing: every message reached every node once.
                assertThat(r.delivered()).as(p.side() + " " + p.workload()).isEqualTo(r.expected());
                assertThat(r.duplicates()).isZero();
                assertThat(r.latency().count()).isEqualTo(r.delivered());
            });
            assertThat(p.summary().messageRate().median()).isPositive();
        }
        assertThat(results.points()).filteredOn(p -> p.rate().equals("80%"))
                .allSatisfy(p -> assertThat(p.targetRate()).isPositive());

        String html = Files.readString(out.resolve("report.html"));
        for (String section : HtmlReport.SECTIONS) {
            assertThat(html).as(section).contains("id='" + section + "'");
        }
        // Self-contained: nothing to fetch, nothing to run.
        assertThat(html).contains("<svg").doesNotContainPattern("(src|href)=['\"]").doesNotContain("<script", "<link");
        String summary = Files.readString(out.resolve("summary.md"));
        assertThat(summary).contains("| transport |").contains("| mem |").contains("Below 80% of the raw client");
        assertThat(bar.toString(StandardCharsets.UTF_8)).contains("100%");
    }

    @Test
    void aMistakeInTheArgumentsIsRefusedWithItsReason() {
        assertThat(Bench.run(new String[] {"--transports", "rabbitmq"}, new PrintStream(new ByteArrayOutputStream()),
                new Progress(new PrintStream(new ByteArrayOutputStream()), false))).isEqualTo(2);
    }
}
