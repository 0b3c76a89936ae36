package dev.backplane.tck.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The scale-out rules, their ids, CONTRACT.md Part 2 and the self-test agree: ids are consecutive
 * (but those held for rules written elsewhere) and carried by method and display name, the rules
 * run in id order, Part 2 lists each, and each fails against some faulty kit.
 */
class HubRuleCatalogueTest {

    private static final Pattern RULE_METHOD = Pattern.compile("s(\\d\\d)_[A-Za-z0-9]+");

    static Map<String, Method> rules() {
        Map<String, Method> rules = new TreeMap<>();
        for (Class<?> c = HubTck.class; c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                Matcher matcher = RULE_METHOD.matcher(m.getName());
                if (matcher.matches()) {
                    rules.put("S" + matcher.group(1), m);
                }
            }
        }
        return rules;
    }

    @Test
    void ruleIdsAreConsecutiveAndInMethodAndDisplayName() {
        Map<String, Method> rules = rules();
        int highest = rules.keySet().stream().mapToInt(id -> Integer.parseInt(id.substring(1))).max().orElse(0);
        List<String> expected = IntStream.rangeClosed(1, highest).mapToObj(i -> String.format("S%02d", i))
                .toList();
        assertThat(rules.keySet()).as("scale-out rule ids").containsExactlyElementsOf(expected);
        rules.forEach((id, method) -> assertThat(method.getAnnotation(DisplayName.class).value())
                .as("display name of %s", method.getName()).startsWith(id + " "));
    }

    @Test
    void rulesRunInIdOrder() {
        TestMethodOrder order = HubKitSupport.class.getAnnotation(TestMethodOrder.class);
        assertThat(order).as("@TestMethodOrder of the scale-out kit").isNotNull();
        assertThat(order.value()).isEqualTo(MethodOrderer.MethodName.class);
    }

    @Test
    void contractPartTwoListsEveryRule() throws IOException {
        String contract = Files.readString(Path.of("..", "CONTRACT.md"));
        String part2 = contract.substring(contract.indexOf("## Part 2"));
        Set<String> listed = part2.lines().filter(l -> l.matches("\\| S\\d\\d \\|.*")).map(l -> l.substring(2, 5))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        assertThat(listed).as("rule ids in CONTRACT.md Part 2").isEqualTo(rules().keySet());
    }

    @Test
    void everyRuleFailsAgainstSomeFaultyKit() {
        Set<String> covered = HubTckSelfTest.faults().map(a -> (String) a.get()[1])
                .map(m -> "S" + m.substring(1, 3)).collect(Collectors.toCollection(java.util.TreeSet::new));
        assertThat(covered).as("scale-out rules shown to fail by HubTckSelfTest").containsAll(rules().keySet());
    }
}
