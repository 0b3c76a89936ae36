package dev.backplane.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/chaos [--transports LIST] [--scenario kill|outage|pause|load|partition|node-pause|node-kill] [--seconds N] [--rate R]}:
 * runs the scenario on each transport against a private broker, prints one summary line per
 * transport and writes every figure to {@code target/chaos/SCENARIO.json}. Exits with 1 when a
 * run broke what must hold (see {@link ChaosRun}), 2 on bad arguments.
 */
public final class ChaosMain {

    /** Run when no transport is named. */
    private static final List<String> TRANSPORTS = List.of("redis", "redis-streams", "nats", "jetstream", "kafka");
    /** Run only when named: a Redis Cluster of three masters and three replicas, one member struck. */
    private static final List<String> CLUSTERS = List.of("redis-cluster", "redis-cluster-streams");

    private ChaosMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> transports = TRANSPORTS;
        String scenario = "kill";
        Integer seconds = null;
        int rate = 2000;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--transports" -> transports = Arrays.asList(require(value, args[i]).split(","));
                case "--scenario" -> scenario = require(value, args[i]);
                case "--seconds" -> seconds = Integer.parseInt(require(value, args[i]));
                case "--minutes" -> seconds = 60 * Integer.parseInt(require(value, args[i]));
                case "--rate" -> rate = Integer.parseInt(require(value, args[i]));
                default -> usage("unknown argument '" + args[i] + "'");
            }
            i++;
        }
        for (String t : transports) {
            if (!TRANSPORTS.contains(t) && !CLUSTERS.contains(t)) {
                usage("unknown transport '" + t + "'; known: " + String.join(", ", TRANSPORTS) + ", "
                        + String.join(", ", CLUSTERS));
            }
        }
        Duration duration = Duration.ofSeconds(seconds != null ? seconds
                : scenario.equals("load") ? 30 : scenario.equals("soak") ? 600 : 60);
        Path out = Path.of("target", "chaos");
        List<Map<String, Object>> results = new ArrayList<>();
        boolean broken = false;
        for (String transport : transports) {
            ChaosSettings settings;
            try {
                settings = ChaosSettings.named(scenario, transport, duration, rate);
            } catch (IllegalArgumentException e) {
                usage(e.getMessage());
                return;
            }
            System.out.println("== " + scenario + " on " + transport + ": " + settings.nodes() + " nodes, "
                    + settings.nodes() * settings.clientsPerNode() + " connections, " + rate + " sends/s for "
                    + duration.toSeconds() + " s, outages " + settings.outages().size());
            Map<String, Object> r = new ChaosRun(settings, out).run();
            results.add(r);
            System.out.println(summary(r));
            @SuppressWarnings("unchecked")
            List<String> violations = (List<String>) r.get("violations");
            violations.forEach(v -> System.out.println("   VIOLATION: " + v));
            broken |= !violations.isEmpty();
        }
        Files.createDirectories(out);
        Path file = out.resolve(scenario + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), results);
        System.out.println("figures: " + file);
        System.exit(broken ? 1 : 0);
    }

    static String summary(Map<String, Object> r) {
        return String.format("%-14s sent %s accepted %s failed %s (unknown outcome %s, outside an outage %s) lost %s "
                        + "duplicated %s reordered %s gaps %s declared dead %s; outages %s ms; per node: %s",
                r.get("transport"), r.get("sent"), r.get("accepted"), r.get("failed"), r.get("failedWithUnknownOutcome"),
                r.get("failedOutsideAnOutage"), r.get("lost"), r.get("duplicated"), r.get("reordered"), r.get("gaps"),
                r.get("declaredDead"), r.get("outages"), r.get("perNode"));
    }

    private static String require(String value, String option) {
        if (value == null) {
            usage(option + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println("bin/chaos: " + problem);
        System.err.println("usage: bin/chaos [--transports redis,redis-streams,nats,jetstream,kafka"
                + "|redis-cluster,redis-cluster-streams] "
                + "[--scenario " + String.join("|", ChaosSettings.SCENARIOS) + "] [--seconds N | --minutes N] [--rate SENDS_PER_SECOND]");
        System.exit(2);
    }
}
