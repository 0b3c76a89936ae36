package dev.backplane.tck.selftest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.spi.DaemonThreads;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The kit does not fail correct backplanes of the other kinds, and skips exactly the rules whose
 * capability they lack, saying which capability. (The memory backplane itself, at-least-once with
 * replay, runs as {@code MemoryBackplaneTckTest}.)
 */
class ConformingVariantsTest {

    // Both full runs start at once, each on a thread of its own: they mostly wait on timeouts.
    private static final CompletableFuture<Map<String, KitRun.Result>> AT_MOST_ONCE =
            CompletableFuture.supplyAsync(() -> KitRun.runAll(FaultyKits.AtMostOnceNoReplay.class), threadOfItsOwn());
    private static final CompletableFuture<Map<String, KitRun.Result>> AT_LEAST_ONCE =
            CompletableFuture.supplyAsync(() -> KitRun.runAll(FaultyKits.AtLeastOnceNoReplay.class), threadOfItsOwn());

    private static java.util.concurrent.Executor threadOfItsOwn() {
        return task -> new DaemonThreads("kit-variant").newThread(task).start();
    }

    @Test
    void anAtMostOnceBackplaneWithoutReplayPassesEveryRuleItRuns() throws Exception {
        assertPassesSkipping(AT_MOST_ONCE.get(5, TimeUnit.MINUTES), Map.ofEntries(
                Map.entry("T20", "guarantee=AT_LEAST_ONCE"), Map.entry("T26", "guarantee=AT_LEAST_ONCE"),
                Map.entry("T28", "guarantee=AT_LEAST_ONCE"), Map.entry("T32", "guarantee=AT_LEAST_ONCE"),
                Map.entry("T21", "replay=true"), Map.entry("T22", "replay=true"), Map.entry("T23", "replay=true"),
                Map.entry("T24", "replay=true"), Map.entry("T34", "replay=true"), Map.entry("T38", "replay=true"),
                Map.entry("T46", "replay=true"), Map.entry("T48", "replay=true")));
    }

    @Test
    void anAtLeastOnceBackplaneWithoutReplayPassesEveryRuleItRuns() throws Exception {
        assertPassesSkipping(AT_LEAST_ONCE.get(5, TimeUnit.MINUTES), Map.ofEntries(
                Map.entry("T19", "guarantee=AT_MOST_ONCE"), Map.entry("T27", "guarantee=AT_MOST_ONCE"),
                Map.entry("T21", "replay=true"), Map.entry("T22", "replay=true"), Map.entry("T23", "replay=true"),
                Map.entry("T24", "replay=true"), Map.entry("T34", "replay=true"), Map.entry("T38", "replay=true"),
                Map.entry("T46", "replay=true"), Map.entry("T48", "replay=true")));
    }

    @Test
    void theMemoryBackplaneSkipsOnlyTheRulesForOtherKinds() {
        Map<String, KitRun.Result> results = KitRun.run(MemoryKit.class, List.of("T19", "T25", "T27"), 1.0);
        assertThat(results.values()).allMatch(KitRun.Result::skipped, "skipped");
        assertThat(results.get("T19").message()).contains("guarantee=AT_MOST_ONCE");
        assertThat(results.get("T25").message()).contains("declares it");
        assertThat(results.get("T27").message()).contains("guarantee=AT_MOST_ONCE");
    }

    /** The memory backplane, through the faulty provider with no fault. */
    static class MemoryKit extends FaultyKit {
        MemoryKit() {
            super("");
        }
    }

    private static void assertPassesSkipping(Map<String, KitRun.Result> results, Map<String, String> skipped) {
        assertThat(results.keySet()).as("rules run").containsAll(KitRun.rules().keySet());
        List<KitRun.Result> failed = results.values().stream().filter(r -> !r.skipped() && !r.status().equals("SUCCESSFUL"))
                .toList();
        assertThat(failed).as("rules a correct backplane failed").isEmpty();
        Set<String> skippedRules = results.values().stream().filter(KitRun.Result::skipped).map(KitRun.Result::rule)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(skippedRules).as("rules skipped").isEqualTo(new TreeSet<>(skipped.keySet()));
        skipped.forEach((rule, capability) -> assertThat(results.get(rule).message())
                .as("reason %s was skipped", rule).contains(rule).contains(capability));
    }
}
