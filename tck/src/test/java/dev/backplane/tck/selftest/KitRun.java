package dev.backplane.tck.selftest;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.KitTimeouts;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/** Runs rules of a kit class through the JUnit Platform and reports how each one ended, by rule id. */
final class KitRun {

    /** How one rule ended: passed, failed (with its failure) or skipped (with the reason). */
    record Result(String rule, String status, String message) {
        boolean failed() {
            return status.equals("FAILED");
        }

        boolean skipped() {
            return status.equals("SKIPPED") || status.equals("ABORTED");
        }

        @Override
        public String toString() {
            return rule + " " + status + (message == null ? "" : ": " + message);
        }
    }

    private static final Pattern RULE_METHOD = Pattern.compile("t(\\d\\d)_[A-Za-z0-9]+");

    private KitRun() {
    }

    /** Every rule of the transport kit, by id ({@code T01}), as its method. */
    static Map<String, Method> rules() {
        Map<String, Method> rules = new TreeMap<>();
        for (Class<?> c = BackplaneTck.class; c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                var matcher = RULE_METHOD.matcher(m.getName());
                if (matcher.matches()) {
                    rules.put("T" + matcher.group(1), m);
                }
            }
        }
        return rules;
    }

    /** Runs the given rules (ids) of {@code kit} with timeouts scaled by {@code scale}. */
    static Map<String, Result> run(Class<? extends BackplaneTck> kit, Collection<String> ruleIds, double scale) {
        Map<String, Method> rules = rules();
        DiscoverySelector[] selectors = ruleIds.stream().map(id -> Optional.ofNullable(rules.get(id))
                .map(m -> selectMethod(kit, m.getName()))
                .orElseThrow(() -> new IllegalArgumentException("no rule " + id + " in the kit")))
                .toArray(DiscoverySelector[]::new);
        return execute(selectors, scale);
    }

    /** Runs every rule of {@code kit} at the configured timeout scale. */
    static Map<String, Result> runAll(Class<? extends BackplaneTck> kit) {
        return execute(new DiscoverySelector[] {selectClass(kit)}, KitTimeouts.scale());
    }

    private static Map<String, Result> execute(DiscoverySelector[] selectors, double scale) {
        List<Event> events = KitTimeouts.withScale(scale, () -> EngineTestKit.engine("junit-jupiter")
                .selectors(selectors).execute().testEvents().list());
        Map<String, Result> results = new LinkedHashMap<>();
        events.stream().sorted(Comparator.comparing(e -> e.getTestDescriptor().getDisplayName())).forEach(e -> {
            String method = e.getTestDescriptor().getSource().filter(MethodSource.class::isInstance)
                    .map(s -> ((MethodSource) s).getMethodName()).orElse(e.getTestDescriptor().getDisplayName());
            String id = method.length() > 3 && RULE_METHOD.matcher(method).matches()
                    ? "T" + method.substring(1, 3) : method;
            if (e.getType() == EventType.SKIPPED) {
                results.put(id, new Result(id, "SKIPPED", e.getPayload(String.class).orElse(null)));
            } else if (e.getType() == EventType.FINISHED) {
                TestExecutionResult r = e.getPayload(TestExecutionResult.class).orElseThrow();
                results.put(id, new Result(id, r.getStatus().name(), r.getThrowable().map(KitRun::describe).orElse(null)));
            }
        });
        return results;
    }

    /** The failure's message and those of its causes and suppressed failures, on one line each. */
    private static String describe(Throwable t) {
        StringBuilder text = new StringBuilder(String.valueOf(t.getMessage()));
        for (Throwable cause = t.getCause(); cause != null && cause != t; cause = cause.getCause()) {
            text.append("\ncaused by: ").append(cause.getMessage());
        }
        Arrays.stream(t.getSuppressed()).forEach(s -> text.append("\nsuppressed: ").append(s.getMessage()));
        return text.toString();
    }
}
