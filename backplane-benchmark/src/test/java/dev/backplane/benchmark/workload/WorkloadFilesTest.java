package dev.backplane.benchmark.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadFilesTest {

    @Test
    void aWorkloadFileGivesEveryFieldAndExpandsIntoOnePointPerSizeAndRate() {
        Workload w = WorkloadFiles.parseWorkload("""
                name: latency
                description: fixed rates
                channels: 3
                payloadBytes: [16, 1024]
                rate: [1000, 10k, "80%"]
                maxFrom: throughput
                publishers: 2
                subscribingNodes: 4
                window: 500
                warmupSeconds: 0.5
                durationSeconds: 2
                """, "latency.yaml");

        assertThat(w.name()).isEqualTo("latency");
        assertThat(w.kind()).isEqualTo(Workload.Kind.PUBSUB);
        assertThat(w.channels()).isEqualTo(3);
        assertThat(w.payloadBytes()).containsExactly(16, 1024);
        assertThat(w.rates()).containsExactly(Rate.fixed(1000), Rate.fixed(10_000), Rate.percentOfMax(80));
        assertThat(w.maxFrom()).isEqualTo("throughput");
        assertThat(w.publishers()).isEqualTo(2);
        assertThat(w.subscribingNodes()).isEqualTo(4);
        assertThat(w.window()).isEqualTo(500);
        assertThat(w.warmupSeconds()).isEqualTo(0.5);
        assertThat(w.durationSeconds()).isEqualTo(2.0);
        assertThat(w.points()).hasSize(6).first().satisfies(p -> {
            assertThat(p.payloadBytes()).isEqualTo(16);
            assertThat(p.rate()).isEqualTo(Rate.fixed(1000));
        });
    }

    @Test
    void jsonIsReadAsWellAsYaml() {
        Workload w = WorkloadFiles.parseWorkload("{\"name\": \"t\", \"payloadBytes\": 128, \"rate\": \"max\"}", "t.json");

        assertThat(w.rates()).containsExactly(Rate.max());
        assertThat(w.payloadBytes()).containsExactly(128);
        assertThat(w.subscribingNodes()).isEqualTo(1);
    }

    @Test
    void aSuiteEntryOverridesItsWorkloadAndTheSuiteDefaultsOverrideTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("mine.yaml"), "name: mine\npayloadBytes: 64\nrate: max\ndurationSeconds: 5\n");
        Files.writeString(dir.resolve("suite.yaml"), """
                name: small
                runs: 4
                defaults: {durationSeconds: 0.5, warmupSeconds: 0}
                workloads:
                  - mine
                  - {workload: latency, rate: [2000, "50%"], maxFrom: mine}
                """);

        Suite suite = WorkloadFiles.suite(dir.resolve("suite.yaml").toString());

        assertThat(suite.name()).isEqualTo("small");
        assertThat(suite.runs()).isEqualTo(4);
        assertThat(suite.workloads()).extracting(Workload::name).containsExactly("mine", "latency");
        assertThat(suite.workloads().get(0).durationSeconds()).isEqualTo(0.5);
        assertThat(suite.workloads().get(1).rates()).containsExactly(Rate.fixed(2000), Rate.percentOfMax(50));
        assertThat(suite.workloads().get(1).maxFrom()).isEqualTo("mine");
    }

    @Test
    void theBundledSuitesParseAndEachPercentageRefersToAnEarlierWorkload() {
        for (String name : List.of("default", "quick")) {
            Suite suite = WorkloadFiles.suite(name);
            assertThat(suite.runs()).isGreaterThanOrEqualTo(3);
            assertThat(suite.workloads()).extracting(Workload::name)
                    .containsExactly("throughput", "fan-out", "latency", "payload-size", "channels", "hub");
        }
    }

    @Test
    void mistakesAreRefusedNamingTheFileTheFieldAndWhatIsAccepted() {
        assertThatThrownBy(() -> WorkloadFiles.parseWorkload("name: a\npayloadBytes: 128\nrate: max\nsize: 3\n", "a.yaml"))
                .hasMessageContaining("a.yaml").hasMessageContaining("unknown workload field 'size'").hasMessageContaining("payloadBytes");
        assertThatThrownBy(() -> WorkloadFiles.parseWorkload("name: a\npayloadBytes: 8\nrate: max\n", "a.yaml"))
                .hasMessageContaining("payloadBytes 8 must be a whole number from 16");
        assertThatThrownBy(() -> WorkloadFiles.parseWorkload("name: a\npayloadBytes: 128\nrate: fast\n", "a.yaml"))
                .hasMessageContaining("rate 'fast' is not 'max'");
        assertThatThrownBy(() -> WorkloadFiles.parseWorkload("name: a\npayloadBytes: 128\nrate: 80%\n", "a.yaml"))
                .hasMessageContaining("needs 'maxFrom");
        assertThatThrownBy(() -> WorkloadFiles.parseWorkload("name: a\npayloadBytes: 128\nrate: max\nconnections: 5\n", "a.yaml"))
                .hasMessageContaining("for hub workloads only");
        assertThatThrownBy(() -> WorkloadFiles.suite("no-such-suite"))
                .hasMessageContaining("no suite 'no-such-suite'");
    }
}
