package dev.backplane;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a provider needs to create a backplane: the broker URI and the options, taken from the
 * URI's query ({@code redis://host:6379?prefix=chat&publishTimeout=2s}) and from a map given to
 * {@link Backplanes#open(URI, Map)}, the map winning.
 *
 * <p>Options every provider accepts ({@link #COMMON_OPTIONS}):
 * <table>
 *   <caption>Common options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code prefix}</td><td>{@code backplane}</td><td>namespace of every channel; two
 *       applications with different prefixes on one broker never see each other's messages</td></tr>
 *   <tr><td>{@code provider}</td><td>by scheme</td><td>the provider to use, whatever the scheme</td></tr>
 *   <tr><td>{@code connectTimeout}</td><td>{@code 5s}</td><td>longest wait for a broker connection</td></tr>
 *   <tr><td>{@code publishTimeout}</td><td>{@code 5s}</td><td>longest wait for the broker to accept a
 *       publish, including time spent waiting for a reconnect</td></tr>
 *   <tr><td>{@code ackTimeout}</td><td>{@code 30s}</td><td>at-least-once only: when an unacknowledged
 *       delivery is delivered again</td></tr>
 *   <tr><td>{@code maxPendingPublishes}</td><td>{@code 10000}</td><td>publishes that may wait for the broker
 *       at once; one more fails at the call</td></tr>
 *   <tr><td>{@code outboxBytes}</td><td>{@code 32 MiB}</td><td>bytes those waiting publishes may hold</td></tr>
 *   <tr><td>{@code maxUnacknowledged}</td><td>{@code 1000}</td><td>at-least-once only: deliveries a subscription
 *       may hold unacknowledged; the transport stops reading for that subscription (and only that one) until
 *       acknowledgements bring it down to half</td></tr>
 *   <tr><td>{@code maxSubscriberBacklog}</td><td>{@code 10000}</td><td>at-most-once only: messages received and not
 *       yet handed to a slow subscriber; beyond it messages are dropped and reported as a gap</td></tr>
 * </table>
 * Durations are written {@code 250ms}, {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 7d}, as ISO-8601
 * ({@code PT5S}) or as plain milliseconds.
 */
public final class BackplaneConfig {

    public static final String PREFIX = "prefix";
    public static final String PROVIDER = "provider";
    public static final String CONNECT_TIMEOUT = "connectTimeout";
    public static final String PUBLISH_TIMEOUT = "publishTimeout";
    public static final String ACK_TIMEOUT = "ackTimeout";
    public static final String MAX_PENDING_PUBLISHES = "maxPendingPublishes";
    public static final String OUTBOX_BYTES = "outboxBytes";
    public static final String MAX_UNACKNOWLEDGED = "maxUnacknowledged";
    public static final String MAX_SUBSCRIBER_BACKLOG = "maxSubscriberBacklog";

    /** Options that every provider accepts. */
    public static final Set<String> COMMON_OPTIONS = Set.of(PREFIX, PROVIDER, CONNECT_TIMEOUT, PUBLISH_TIMEOUT,
            ACK_TIMEOUT, MAX_PENDING_PUBLISHES, OUTBOX_BYTES, MAX_UNACKNOWLEDGED, MAX_SUBSCRIBER_BACKLOG);

    public static final String DEFAULT_PREFIX = "backplane";

    private static final java.util.regex.Pattern DURATION =
            java.util.regex.Pattern.compile("(-?\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?");

    private final URI uri;
    private final Map<String, String> options;
    private final BackplaneResources resources;
    // Read on every publish by some transports: looked up once.
    private final String prefix;

    private BackplaneConfig(URI uri, Map<String, String> options, BackplaneResources resources) {
        this.uri = uri;
        this.options = Collections.unmodifiableMap(options);
        this.resources = resources;
        this.prefix = this.options.getOrDefault(PREFIX, DEFAULT_PREFIX);
    }

    /**
     * Reads the options of {@code uri}'s query and overlays {@code overrides}.
     *
     * @throws BackplaneConfigurationException if the query is malformed or the prefix is illegal
     */
    public static BackplaneConfig of(URI uri, Map<String, String> overrides) {
        return of(uri, overrides, BackplaneResources.defaults());
    }

    /**
     * As {@link #of(URI, Map)}, for a backplane that uses {@code resources} for its callbacks and
     * deadlines.
     */
    public static BackplaneConfig of(URI uri, Map<String, String> overrides, BackplaneResources resources) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(overrides, "options");
        Objects.requireNonNull(resources, "resources");
        Map<String, String> merged = new LinkedHashMap<>(parseQuery(uri));
        overrides.forEach((k, v) -> merged.put(Objects.requireNonNull(k, "option name"),
                Objects.requireNonNull(v, () -> "value of option " + k)));
        BackplaneConfig config = new BackplaneConfig(uri, merged, resources);
        try {
            Channels.requireValidPrefix(config.prefix());
        } catch (IllegalArgumentException e) {
            throw new BackplaneConfigurationException(e.getMessage() + " (option 'prefix' of " + config.redactedUri() + ")");
        }
        return config;
    }

    /** The URI as given, query included. */
    public URI uri() {
        return uri;
    }

    /**
     * The user info of the URI as written (percent-encoded), or {@code null} if it has none. Unlike
     * {@link URI#getRawUserInfo()} this finds it also before a list of several hosts
     * ({@code scheme://user:password@h1:1,h2:2}), an authority Java's URI parser keeps whole
     * (registry-based) without reading user info from it.
     */
    public String rawUserInfo() {
        if (uri.getRawUserInfo() != null) {
            return uri.getRawUserInfo();
        }
        String authority = uri.getRawAuthority();
        int at = authority == null ? -1 : authority.lastIndexOf('@');
        return at < 0 ? null : authority.substring(0, at);
    }

    /**
     * The URI's authority without its user info, as written: one {@code host[:port]}, or several
     * separated by commas; empty if it names none. The counterpart of {@link #rawUserInfo()}.
     */
    public String rawHosts() {
        String authority = uri.getRawAuthority();
        if (authority == null) {
            return "";
        }
        String userInfo = rawUserInfo();
        return userInfo == null ? authority : authority.substring(userInfo.length() + 1);
    }

    /**
     * The URI with any password replaced by {@code ***}, for messages and logs: the one in the user
     * info, and the value of every query option whose name ends in {@code password}, {@code token} or
     * {@code secret} (any case).
     */
    public String redactedUri() {
        String text = uri.toString();
        String userInfo = rawUserInfo();
        if (userInfo != null && userInfo.contains(":")) {
            String redacted = userInfo.substring(0, userInfo.indexOf(':') + 1) + "***";
            text = text.replace(userInfo + "@", redacted + "@");
        }
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            StringBuilder redacted = new StringBuilder();
            for (String pair : query.split("&", -1)) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                redacted.append(redacted.length() == 0 ? "" : "&")
                        .append(eq >= 0 && isSecret(name) ? pair.substring(0, eq + 1) + "***" : pair);
            }
            text = text.replace("?" + query, "?" + redacted);
        }
        return text;
    }

    private static boolean isSecret(String option) {
        String name = option.toLowerCase(java.util.Locale.ROOT);
        return name.endsWith("password") || name.endsWith("token") || name.endsWith("secret");
    }

    /** Every option, common and provider-specific. */
    public Map<String, String> options() {
        return options;
    }

    /** The channel namespace. */
    public String prefix() {
        return prefix;
    }

    /** The provider named explicitly, if any. */
    public String provider() {
        return options.get(PROVIDER);
    }

    public Duration connectTimeout() {
        return duration(CONNECT_TIMEOUT, Duration.ofSeconds(5));
    }

    public Duration publishTimeout() {
        return duration(PUBLISH_TIMEOUT, Duration.ofSeconds(5));
    }

    public Duration ackTimeout() {
        return duration(ACK_TIMEOUT, Duration.ofSeconds(30));
    }

    /** How many publishes may wait for the broker at once. */
    public int maxPendingPublishes() {
        return (int) longOption(MAX_PENDING_PUBLISHES, 10_000, 1, 10_000_000);
    }

    /** How many bytes waiting publishes may hold. */
    public long outboxBytes() {
        return longOption(OUTBOX_BYTES, 32L << 20, 1L << 16, 8L << 30);
    }

    /** At-least-once: deliveries one subscription may hold unacknowledged before its transport stops reading for it. */
    public int maxUnacknowledged() {
        return (int) longOption(MAX_UNACKNOWLEDGED, 1000, 2, 10_000_000);
    }

    /** At-most-once: messages that may wait for one slow subscriber before the next are dropped (and reported). */
    public int maxSubscriberBacklog() {
        return (int) longOption(MAX_SUBSCRIBER_BACKLOG, 10_000, 1, 10_000_000);
    }

    /** Where callbacks run and deadlines are kept; shared by the backplanes of an application. */
    public BackplaneResources resources() {
        return resources;
    }

    /** A string option, or {@code defaultValue}. */
    public String option(String name, String defaultValue) {
        return options.getOrDefault(name, defaultValue);
    }

    /** A positive duration option, or {@code defaultValue}. */
    public Duration duration(String name, Duration defaultValue) {
        String raw = options.get(name);
        if (raw == null) {
            return defaultValue;
        }
        Duration d = parseDuration(name, raw.trim());
        if (d.isNegative() || d.isZero()) {
            throw invalid(name, raw, "a positive duration such as 250ms, 5s or 2m");
        }
        return d;
    }

    /** A long option within [min, max], or {@code defaultValue}. */
    public long longOption(String name, long defaultValue, long min, long max) {
        String raw = options.get(name);
        if (raw == null) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw.trim());
            if (value < min || value > max) {
                throw invalid(name, raw, "a whole number from " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(name, raw, "a whole number from " + min + " to " + max);
        }
    }

    /** A boolean option ({@code true} or {@code false}), or {@code defaultValue}. */
    public boolean booleanOption(String name, boolean defaultValue) {
        String raw = options.get(name);
        if (raw == null) {
            return defaultValue;
        }
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(name, raw, "true or false");
        };
    }

    /**
     * Refuses options that neither {@link #COMMON_OPTIONS} nor {@code accepted} contain.
     *
     * @throws BackplaneConfigurationException naming the unknown options and the accepted ones
     */
    public void requireKnownOptions(String providerName, Set<String> accepted) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(COMMON_OPTIONS);
        unknown.removeAll(accepted);
        if (!unknown.isEmpty()) {
            Set<String> all = new TreeSet<>(COMMON_OPTIONS);
            all.addAll(accepted);
            throw new BackplaneConfigurationException("unknown option" + (unknown.size() > 1 ? "s " : " ") + unknown
                    + " for provider '" + providerName + "' in " + redactedUri() + "; accepted options: " + all);
        }
    }

    private BackplaneConfigurationException invalid(String name, String raw, String expected) {
        return new BackplaneConfigurationException("option '" + name + "' has value '" + raw
                + "' in " + redactedUri() + "; expected " + expected);
    }

    private Duration parseDuration(String name, String raw) {
        if (raw.startsWith("P") || raw.startsWith("p")) {
            try {
                return Duration.parse(raw);
            } catch (DateTimeParseException e) {
                throw invalid(name, raw, "a duration such as 250ms, 1.5s, 2m or PT5S");
            }
        }
        java.util.regex.Matcher m = DURATION.matcher(raw);
        if (!m.matches()) {
            throw invalid(name, raw, "a duration such as 250ms, 1.5s, 2m or PT5S");
        }
        double amount = Double.parseDouble(m.group(1));
        double millisPerUnit = switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        return Duration.ofMillis(Math.round(amount * millisPerUnit));
    }

    /** The authority as written, with the password of its user info (if any) as {@code ***}. */
    private static String redactedAuthority(URI uri) {
        String authority = uri.getRawAuthority();
        if (authority == null) {
            return "";
        }
        int at = authority.lastIndexOf('@');
        int colon = authority.indexOf(':');
        if (at < 0 || colon < 0 || colon > at) {
            return authority;
        }
        return authority.substring(0, colon + 1) + "***" + authority.substring(at);
    }

    private static Map<String, String> parseQuery(URI uri) {
        Map<String, String> result = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query == null || query.isEmpty()) {
            return result;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new BackplaneConfigurationException("malformed option '" + pair + "' in the query of "
                        + uri.getScheme() + "://" + redactedAuthority(uri) + "; write name=value");
            }
            String key = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (result.put(key, value) != null) {
                throw new BackplaneConfigurationException("option '" + key + "' is given twice in the query of "
                        + uri.getScheme() + "://" + redactedAuthority(uri));
            }
        }
        return result;
    }

    @Override
    public String toString() {
        return "BackplaneConfig[" + redactedUri() + ", options=" + options.keySet() + "]";
    }
}
