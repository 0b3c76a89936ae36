package dev.backplane.tck.selftest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rules, their ids, CONTRACT.md and the fault matrix agree: ids are consecutive and carried by
 * both method name and display name, Part 1 of CONTRACT.md lists each rule under its id and method,
 * and every rule is shown to fail against at least one broken backplane.
 */
class RuleCatalogueTest {

    private final Map<String, Method> rules = KitRun.rules();

    /** Ids held for rules that are written elsewhere and not in this kit yet; no other id may be missing. */
    static final Set<String> RESERVED = IntStream.rangeClosed(35, 49).mapToObj(i -> "T" + i)
            .collect(Collectors.toUnmodifiableSet());

    @Test
    void ruleIdsAreConsecutiveAndInMethodAndDisplayName() {
        int highest = rules.keySet().stream().mapToInt(id -> Integer.parseInt(id.substring(1))).max().orElse(0);
        List<String> expected = IntStream.rangeClosed(1, highest).mapToObj(i -> String.format("T%02d", i))
                .filter(id -> !RESERVED.contains(id) || rules.containsKey(id)).toList();
        assertThat(rules.keySet()).as("rule ids").containsExactlyElementsOf(expected);
        rules.forEach((id, method) -> {
            assertThat(method.isAnnotationPresent(org.junit.jupiter.api.Test.class)).as("%s is a @Test", id).isTrue();
            DisplayName display = method.getAnnotation(DisplayName.class);
            assertThat(display).as("@DisplayName of %s", method.getName()).isNotNull();
            assertThat(display.value()).as("display name of %s", method.getName()).startsWith(id + " ");
        });
    }

    @Test
    void contractPartOneListsEveryRuleUnderItsIdAndMethod() throws IOException {
        String contract = Files.readString(Path.of("..", "CONTRACT.md"));
        String part1 = contract.substring(contract.indexOf("## Part 1"), contract.indexOf("## Part 2"));
        List<String> missing = new ArrayList<>();
        rules.forEach((id, method) -> {
            if (!part1.contains("| " + id + " | `" + method.getName() + "`")) {
                missing.add(id + " " + method.getName());
            }
        });
        assertThat(missing).as("rules missing from CONTRACT.md Part 1 as '| id | `method`'").isEmpty();
        Set<String> listed = part1.lines().filter(l -> l.matches("\\| T\\d\\d \\|.*"))
                .map(l -> l.substring(2, 5)).collect(Collectors.toCollection(TreeSet::new));
        assertThat(listed).as("rule ids in CONTRACT.md Part 1").isEqualTo(rules.keySet());
    }

    @Test
    void everyRuleFailsAgainstSomeBrokenBackplane() {
        Set<String> covered = KitCatchesFaultsTest.CASES.stream().flatMap(c -> c.fails().keySet().stream())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(covered).as("rules shown to fail by KitCatchesFaultsTest").containsAll(rules.keySet());
    }

    @Test
    void everyFaultIsInTheMatrix() {
        Set<String> inMatrix = KitCatchesFaultsTest.CASES.stream().map(KitCatchesFaultsTest.Case::fault)
                .collect(Collectors.toSet());
        Set<String> faults = java.util.Arrays.stream(Fault.values()).filter(f -> f != Fault.NONE).map(Fault::option)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(inMatrix).as("faults checked by KitCatchesFaultsTest").containsAll(faults);
    }
}
