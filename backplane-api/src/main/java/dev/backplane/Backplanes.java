package dev.backplane;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Opens backplanes by URI through the {@link BackplaneProvider}s found by
 * {@link ServiceLoader}.
 *
 * <p>Selection: the {@code provider} option, when given, names the provider whatever the scheme;
 * otherwise the URI's scheme picks the one provider that serves it. No match is an error naming
 * the schemes present and the artifact that provides the one asked for; two providers for one
 * scheme or one name is an error naming both; a provider that fails to load is logged and named
 * in every error.
 */
public final class Backplanes {

    private static final System.Logger LOG = System.getLogger(Backplanes.class.getName());

    /** Where each scheme or provider name of this project comes from, for the "add this" hint. */
    private static final Map<String, String> KNOWN_ARTIFACTS = Map.ofEntries(
            Map.entry("mem", "dev.backplane:backplane-api"),
            Map.entry("redis", "dev.backplane:backplane-redis"),
            Map.entry("rediss", "dev.backplane:backplane-redis"),
            Map.entry("redis-streams", "dev.backplane:backplane-redis-streams"),
            Map.entry("rediss-streams", "dev.backplane:backplane-redis-streams"),
            Map.entry("nats", "dev.backplane:backplane-nats"),
            Map.entry("tls", "dev.backplane:backplane-nats"),
            Map.entry("jetstream", "dev.backplane:backplane-nats"),
            Map.entry("kafka", "dev.backplane:backplane-kafka"));

    private Backplanes() {
    }

    /** Opens the backplane a URI string names, such as {@code redis://localhost:6379?prefix=chat}. */
    public static Backplane open(String uri) {
        Objects.requireNonNull(uri, "uri");
        try {
            return open(new URI(uri.trim()), Map.of());
        } catch (URISyntaxException e) {
            throw new BackplaneConfigurationException("malformed backplane URI '" + uri + "': " + e.getMessage()
                    + "; expected scheme://host:port?option=value, e.g. redis://localhost:6379 or mem://local");
        }
    }

    /** Opens the backplane {@code uri} names, with {@code options} overriding the URI's query. */
    public static Backplane open(URI uri, Map<String, String> options) {
        return open(uri, options, defaultClassLoader());
    }

    /**
     * As {@link #open(URI, Map)}, with callbacks and deadlines on {@code resources} (shared by the
     * backplanes of an application; see {@link BackplaneResources} for the callback-thread rule).
     */
    public static Backplane open(URI uri, Map<String, String> options, BackplaneResources resources) {
        return open(uri, options, resources, defaultClassLoader());
    }

    /** As {@link #open(URI, Map)}, looking for providers in {@code loader}. */
    public static Backplane open(URI uri, Map<String, String> options, ClassLoader loader) {
        return open(uri, options, BackplaneResources.defaults(), loader);
    }

    /** As {@link #open(URI, Map, BackplaneResources)}, looking for providers in {@code loader}. */
    public static Backplane open(URI uri, Map<String, String> options, BackplaneResources resources,
            ClassLoader loader) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(resources, "resources");
        if (uri.getScheme() == null) {
            throw new BackplaneConfigurationException("backplane URI '" + uri + "' has no scheme; expected e.g. "
                    + "redis://localhost:6379 or mem://local. Schemes present: " + load(loader).schemes()
                    + load(loader).failureNote());
        }
        BackplaneConfig config = BackplaneConfig.of(uri, options, resources);
        BackplaneProvider provider = select(config, load(loader));
        config.requireKnownOptions(provider.name(), provider.options());
        return provider.create(config);
    }

    /** The providers that loaded, by name. */
    public static List<BackplaneProvider> providers() {
        return List.copyOf(load(defaultClassLoader()).providers);
    }

    private static ClassLoader defaultClassLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Backplanes.class.getClassLoader();
    }

    static BackplaneProvider select(BackplaneConfig config, Loaded loaded) {
        String wanted = config.provider();
        String scheme = config.uri().getScheme().toLowerCase(java.util.Locale.ROOT);
        List<BackplaneProvider> matches = wanted != null
                ? loaded.providers.stream().filter(p -> p.name().equals(wanted)).collect(Collectors.toList())
                : loaded.providers.stream().filter(p -> p.schemes().contains(scheme)).collect(Collectors.toList());
        String asked = wanted != null ? "provider '" + wanted + "'" : "scheme '" + scheme + "'";
        if (matches.size() > 1) {
            throw new BackplaneConfigurationException("more than one backplane provider for " + asked + ": "
                    + matches.stream().map(p -> p.name() + " (" + p.getClass().getName() + ")")
                            .collect(Collectors.joining(", "))
                    + "; remove one from the class path or choose with ?provider=NAME" + loaded.failureNote());
        }
        if (matches.isEmpty()) {
            String key = wanted != null ? wanted : scheme;
            String artifact = KNOWN_ARTIFACTS.get(key);
            StringBuilder message = new StringBuilder("no backplane provider for ").append(asked)
                    .append(" in ").append(config.redactedUri()).append(". ");
            String near = nearest(key, loaded, wanted != null);
            message.append(artifact != null ? "Add the dependency " + artifact + " to the class path. "
                    : near != null ? "Did you mean '" + near + "'? " : "No known artifact provides it. ");
            message.append("Schemes present: ").append(loaded.schemes())
                    .append("; providers present: ").append(loaded.names().keySet()).append('.');
            throw new BackplaneConfigurationException(message.append(loaded.failureNote()).toString());
        }
        return matches.get(0);
    }

    /** The present scheme (or provider name) one or two typing mistakes away from {@code asked}, if any. */
    private static String nearest(String asked, Loaded loaded, boolean providerName) {
        java.util.Collection<String> candidates = providerName ? loaded.names().keySet() : loaded.schemes();
        String best = null;
        int bestDistance = 3;
        for (String candidate : candidates) {
            int d = distance(asked, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Edit distance counting insertions, deletions, substitutions and swaps of neighbours. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    static Loaded load(ClassLoader loader) {
        List<BackplaneProvider> providers = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Iterator<BackplaneProvider> it = ServiceLoader.load(BackplaneProvider.class, loader).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                providers.add(it.next());
            } catch (ServiceConfigurationError e) {
                failures.add(e.getMessage() + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
                LOG.log(System.Logger.Level.WARNING, "a backplane provider failed to load", e);
            }
        }
        return new Loaded(providers, failures);
    }

    /** The outcome of one provider look-up: what loaded and what failed. */
    record Loaded(List<BackplaneProvider> providers, List<String> failures) {
        /** Empty, or a sentence naming the providers that failed to load. */
        String failureNote() {
            return failures.isEmpty() ? "" : ". Providers that failed to load: " + failures;
        }

        TreeSet<String> schemes() {
            return providers.stream().flatMap(p -> p.schemes().stream()).collect(Collectors.toCollection(TreeSet::new));
        }

        TreeMap<String, String> names() {
            TreeMap<String, String> names = new TreeMap<>();
            providers.forEach(p -> names.merge(p.name(), p.getClass().getName(), (a, b) -> a + ", " + b));
            return names;
        }
    }
}
