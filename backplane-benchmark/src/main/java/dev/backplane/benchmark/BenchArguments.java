package dev.backplane.benchmark;

import dev.backplane.benchmark.driver.Transports;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@code bin/bench}.
 *
 * @param suite the suite's name or file
 * @param transports the transports to run, in report order
 * @param brokers brokers given by address, by family ({@code redis}, {@code nats}, {@code kafka})
 * @param runs measured runs per point instead of the suite's, or 0
 * @param out where the results, the report and the summary go
 */
record BenchArguments(String suite, List<String> transports, Map<String, URI> brokers, int runs, Path out) {

    static final String USAGE = """
            usage: bin/bench [--suite NAME|FILE] [--quick] [--transports LIST] [--runs N] [--out DIR]
                             [--redis redis://HOST:PORT] [--nats nats://HOST:PORT] [--kafka HOST:PORT]
              --suite       a bundled suite (default, quick) or a suite file; default: default
              --quick       the quick suite (the same as --suite quick)
              --transports  comma-separated, from: %s; default: all but the Redis Clusters
              --runs        measured runs per point (at least 3 for a median worth the name)
              --out         output directory; default: target/bench
              --redis/--nats/--kafka  use this broker instead of starting a private one (never stopped)
            Without broker addresses it starts its own brokers on ephemeral loopback ports and stops them at the end.
            """.formatted(String.join(",", Transports.KNOWN));

    /** Parses the arguments; a mistake is an {@link IllegalArgumentException} saying which and why. */
    static BenchArguments parse(String[] args) {
        String suite = null;
        boolean quick = false;
        List<String> transports = new ArrayList<>(Transports.ALL);
        Map<String, URI> brokers = new LinkedHashMap<>();
        int runs = 0;
        Path out = Path.of("target", "bench");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--suite" -> suite = value(args, ++i, arg);
                case "--quick" -> quick = true;
                case "--transports" -> transports = transports(value(args, ++i, arg));
                case "--runs" -> runs = runs(value(args, ++i, arg));
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--redis" -> brokers.put("redis", broker(value(args, ++i, arg), arg, "redis"));
                case "--nats" -> brokers.put("nats", broker(value(args, ++i, arg), arg, "nats"));
                case "--kafka" -> brokers.put("kafka", broker(value(args, ++i, arg), arg, "kafka"));
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        if (quick && suite != null && !suite.equals("quick")) {
            throw new IllegalArgumentException("--quick runs the quick suite; it cannot be combined with --suite " + suite);
        }
        return new BenchArguments(quick ? "quick" : suite == null ? "default" : suite, transports, brokers, runs, out);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static List<String> transports(String list) {
        List<String> chosen = new ArrayList<>();
        for (String t : list.split(",")) {
            String name = t.trim();
            if (!Transports.KNOWN.contains(name)) {
                throw new IllegalArgumentException("--transports: no transport '" + name + "'; known: " + String.join(", ", Transports.KNOWN));
            }
            if (!chosen.contains(name)) {
                chosen.add(name);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("--transports needs at least one transport");
        }
        // Report order, whatever the order given.
        return Transports.KNOWN.stream().filter(chosen::contains).toList();
    }

    private static int runs(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= 100) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("--runs must be a whole number from 1 to 100, was '" + text + "'");
    }

    private static URI broker(String text, String option, String family) {
        URI uri = URI.create(text.contains("://") ? text : "tcp://" + text);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(option + " '" + text + "' names no host; write "
                    + (family.equals("kafka") ? "HOST:PORT" : family + "://HOST:PORT"));
        }
        return uri;
    }
}
