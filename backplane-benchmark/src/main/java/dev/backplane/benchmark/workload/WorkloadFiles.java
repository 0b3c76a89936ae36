package dev.backplane.benchmark.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads workload and suite files, YAML or JSON (JSON is YAML), in the style of the OpenMessaging
 * Benchmark's workload files. A suite names its workloads; each name is a file {@code NAME.yaml}
 * beside the suite file, else one bundled with the benchmark ({@code workloads/NAME.yaml} on the
 * class path). A suite entry may override fields of its workload:
 *
 * <pre>
 * name: quick
 * runs: 3
 * defaults: {warmupSeconds: 0.1, durationSeconds: 0.3}   # over every workload's own values
 * workloads:
 *   - throughput
 *   - {workload: latency, rate: [1000, 10000, "80%"]}
 * </pre>
 *
 * Every mistake (an unknown field, a value out of range, a missing workload) is an
 * {@link IllegalArgumentException} naming the file, the field and what is accepted.
 */
public final class WorkloadFiles {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> WORKLOAD_FIELDS = new TreeSet<>(List.of("name", "description", "kind", "channels",
            "payloadBytes", "rate", "maxFrom", "publishers", "subscribingNodes", "connections", "window",
            "warmupSeconds", "durationSeconds"));
    private static final Set<String> SUITE_FIELDS = new TreeSet<>(List.of("name", "description", "runs", "defaults", "workloads"));

    private WorkloadFiles() {
    }

    /** A suite bundled with the benchmark ({@code default}, {@code quick}) or in a file. */
    public static Suite suite(String nameOrPath) {
        Path path = Path.of(nameOrPath);
        if (Files.isRegularFile(path)) {
            return parseSuite(read(path), path.toString(), path.toAbsolutePath().getParent());
        }
        String resource = "suites/" + nameOrPath + ".yaml";
        String text = resource(resource);
        if (text == null) {
            throw new IllegalArgumentException("no suite '" + nameOrPath + "': not a file, and not one of the bundled suites "
                    + "(default, quick)");
        }
        return parseSuite(text, resource, null);
    }

    /** Parses a suite; {@code directory} (may be null) is where its workload files are looked for first. */
    public static Suite parseSuite(String text, String source, Path directory) {
        JsonNode root = tree(text, source);
        requireKnown(root, SUITE_FIELDS, source, "suite");
        String name = text(root, "name", source, fileName(source));
        int runs = integer(root, "runs", source, 3, 1, 100);
        JsonNode defaults = root.path("defaults");
        if (!defaults.isMissingNode() && !defaults.isObject()) {
            throw new IllegalArgumentException(source + ": 'defaults' must be a map of workload fields");
        }
        JsonNode entries = root.path("workloads");
        if (!entries.isArray() || entries.isEmpty()) {
            throw new IllegalArgumentException(source + ": 'workloads' must be a non-empty list of workload names "
                    + "or {workload: NAME, field: value} entries");
        }
        List<Workload> workloads = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode entry : entries) {
            String workloadName;
            ObjectNode overrides = YAML.createObjectNode();
            if (entry.isTextual()) {
                workloadName = entry.asText();
            } else if (entry.isObject() && entry.path("workload").isTextual()) {
                workloadName = entry.get("workload").asText();
                overrides.setAll((ObjectNode) entry.deepCopy());
                overrides.remove("workload");
            } else {
                throw new IllegalArgumentException(source + ": a workloads entry must be a name or {workload: NAME, ...}, was " + entry);
            }
            String workloadSource = source + " -> " + workloadName;
            ObjectNode merged = (ObjectNode) tree(workloadText(workloadName, directory, source), workloadSource);
            // The entry's own fields win over the suite's defaults, which win over the file's.
            if (defaults.isObject()) {
                merged.setAll((ObjectNode) defaults);
            }
            merged.setAll(overrides);
            Workload workload = workload(merged, workloadSource);
            if (!names.add(workload.name())) {
                throw new IllegalArgumentException(source + ": workload '" + workload.name() + "' appears twice");
            }
            if (workload.needsMax() && !names.contains(workload.maxFrom())) {
                throw new IllegalArgumentException(workloadSource + ": 'maxFrom: " + workload.maxFrom()
                        + "' must name a workload listed before it in the suite");
            }
            workloads.add(workload);
        }
        return new Suite(name, runs, workloads);
    }

    /** Parses one workload file. */
    public static Workload parseWorkload(String text, String source) {
        return workload(tree(text, source), source);
    }

    private static Workload workload(JsonNode node, String source) {
        requireKnown(node, WORKLOAD_FIELDS, source, "workload");
        String name = text(node, "name", source, null);
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException(source + ": 'name' is required: letters, digits, '-', '_' and '.'");
        }
        String kindText = text(node, "kind", source, "pubsub");
        Workload.Kind kind;
        try {
            kind = Workload.Kind.valueOf(kindText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": 'kind: " + kindText + "' is not one of pubsub, hub");
        }
        List<Integer> sizes = new ArrayList<>();
        for (JsonNode size : list(node, "payloadBytes", source)) {
            if (!size.canConvertToInt() || size.asInt() < Workload.MIN_PAYLOAD || size.asInt() > 16 << 20) {
                throw new IllegalArgumentException(source + ": payloadBytes " + size + " must be a whole number from "
                        + Workload.MIN_PAYLOAD + " (the measurement header) to 16777216");
            }
            sizes.add(size.asInt());
        }
        List<Rate> rates = new ArrayList<>();
        for (JsonNode rate : list(node, "rate", source)) {
            try {
                rates.add(Rate.parse(rate.asText()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": " + e.getMessage());
            }
        }
        String maxFrom = text(node, "maxFrom", source, null);
        boolean needsMax = rates.stream().anyMatch(r -> r.kind() == Rate.Kind.PERCENT_OF_MAX);
        if (needsMax && maxFrom == null) {
            throw new IllegalArgumentException(source + ": a percentage rate needs 'maxFrom: WORKLOAD', the workload "
                    + "whose measured maximum it is a percentage of");
        }
        int channels = integer(node, "channels", source, 1, 1, 100_000);
        int publishers = integer(node, "publishers", source, 1, 1, 64);
        int nodes = integer(node, "subscribingNodes", source, kind == Workload.Kind.HUB ? 4 : 1, 1, 64);
        int connections = integer(node, "connections", source, kind == Workload.Kind.HUB ? 10_000 : 0, 0, 1_000_000);
        if (kind == Workload.Kind.HUB) {
            if (publishers != 1) {
                throw new IllegalArgumentException(source + ": a hub workload has one sending context; publishers must be 1");
            }
            if (connections < channels) {
                throw new IllegalArgumentException(source + ": a hub workload needs at least one connection per group: "
                        + connections + " connections, " + channels + " groups");
            }
        } else if (node.has("connections")) {
            throw new IllegalArgumentException(source + ": 'connections' is for hub workloads only");
        }
        int window = integer(node, "window", source, 1000, 1, 1_000_000);
        double warmup = number(node, "warmupSeconds", source, 1, 0, 600);
        double duration = number(node, "durationSeconds", source, 2, 0.05, 3600);
        return new Workload(name, text(node, "description", source, ""), kind, channels, sizes, rates, maxFrom,
                publishers, nodes, connections, window, warmup, duration);
    }

    private static String workloadText(String name, Path directory, String suiteSource) {
        if (directory != null) {
            for (String candidate : List.of(name + ".yaml", name + ".yml", name + ".json", "workloads/" + name + ".yaml")) {
                Path file = directory.resolve(candidate);
                if (Files.isRegularFile(file)) {
                    return read(file);
                }
            }
        }
        String text = resource("workloads/" + name + ".yaml");
        if (text == null) {
            throw new IllegalArgumentException(suiteSource + ": no workload '" + name + "'"
                    + (directory != null ? " in " + directory + " nor" : "") + " among the bundled workloads");
        }
        return text;
    }

    private static JsonNode tree(String text, String source) {
        try {
            JsonNode node = YAML.readTree(text);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(source + ": expected a map of fields at the top");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not valid YAML or JSON: " + e.getMessage(), e);
        }
    }

    private static void requireKnown(JsonNode node, Set<String> known, String source, String what) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw new IllegalArgumentException(source + ": unknown " + what + " field '" + field + "'; known fields: " + known);
            }
        }
    }

    private static List<JsonNode> list(JsonNode node, String field, String source) {
        JsonNode value = node.path(field);
        List<JsonNode> values = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(values::add);
        } else if (value.isValueNode()) {
            values.add(value);
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException(source + ": '" + field + "' is required: a value or a list of values");
        }
        return values;
    }

    private static String text(JsonNode node, String field, String source, String fallback) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return fallback;
        }
        if (!value.isValueNode()) {
            throw new IllegalArgumentException(source + ": '" + field + "' must be text, was " + value);
        }
        return value.asText();
    }

    private static int integer(JsonNode node, String field, String source, int fallback, int min, int max) {
        JsonNode value = node.path(field);
        if (value.isMissingNode()) {
            return fallback;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min || value.asInt() > max) {
            throw new IllegalArgumentException(source + ": '" + field + "' must be a whole number from " + min + " to "
                    + max + ", was " + value);
        }
        return value.asInt();
    }

    private static double number(JsonNode node, String field, String source, double fallback, double min, double max) {
        JsonNode value = node.path(field);
        if (value.isMissingNode()) {
            return fallback;
        }
        if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
            throw new IllegalArgumentException(source + ": '" + field + "' must be a number of seconds from " + min
                    + " to " + max + ", was " + value);
        }
        return value.asDouble();
    }

    private static String fileName(String source) {
        String file = Path.of(source).getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = WorkloadFiles.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the bundled " + name, e);
        }
    }
}
