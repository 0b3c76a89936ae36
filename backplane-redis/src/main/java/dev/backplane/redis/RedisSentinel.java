package dev.backplane.redis;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BrokerUnavailableException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.providers.SentineledConnectionProvider;

/**
 * The Redis Sentinel deployment a backplane URI names, and where its master is now:
 * {@code redis-sentinel://[user:password@]host1:port1,host2:port2/?master=NAME} (the user and
 * password are the data nodes'; {@code sentinelUser} and {@code sentinelPassword} log in to the
 * sentinels).
 *
 * <p>{@link #locate()} asks the sentinels in turn ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}, through
 * Jedis) and returns the first answer, so every new connection goes to the master the sentinels name
 * at that moment. After the first answer a Jedis {@link SentineledConnectionProvider} listens to
 * every sentinel's {@code +switch-master} events (its own daemon threads, reconnecting to the
 * sentinels by itself); {@link #moved} reads what it heard, so that a connection still open to a
 * former master (demoted, but not dead) is given up. The provider's pool is never used: the
 * backplane keeps connections of its own (one in pub/sub mode, one blocked in reads).
 */
public final class RedisSentinel implements AutoCloseable {

    /** Option: the name the sentinels monitor the master by ({@code sentinel monitor NAME ...}). Required. */
    public static final String MASTER = "master";
    /** Option: the user to log in to the sentinels with (default: none, or the default user with {@value #SENTINEL_PASSWORD}). */
    public static final String SENTINEL_USER = "sentinelUser";
    /** Option: the password to log in to the sentinels with (their {@code requirepass}, or the user's). */
    public static final String SENTINEL_PASSWORD = "sentinelPassword";

    /** The options of a Sentinel URI, refused on any other. */
    public static final Set<String> OPTIONS = Set.of(MASTER, SENTINEL_USER, SENTINEL_PASSWORD);

    /** Sentinel's own default port, for a sentinel written without one. */
    static final int DEFAULT_SENTINEL_PORT = 26379;

    /**
     * A master as located.
     *
     * @param address where the sentinels said the master is, connected to
     * @param heard what the sentinel listeners had heard at that moment (null before they run)
     */
    public record Master(HostAndPort address, HostAndPort heard) {
    }

    private final String masterName;
    private final List<HostAndPort> sentinels;
    private final JedisClientConfig masterConfig;
    private final JedisClientConfig sentinelConfig;
    private final Object providerLock = new Object();
    private volatile SentineledConnectionProvider provider;
    private volatile boolean closed;

    private RedisSentinel(String masterName, List<HostAndPort> sentinels, JedisClientConfig masterConfig,
            JedisClientConfig sentinelConfig) {
        this.masterName = masterName;
        this.sentinels = List.copyOf(sentinels);
        this.masterConfig = masterConfig;
        this.sentinelConfig = sentinelConfig;
    }

    /** Whether {@code scheme} is a Sentinel one: {@code redis-sentinel}, {@code rediss-sentinel}, {@code redis-sentinel-streams}, ... */
    static boolean isSentinelScheme(String scheme) {
        return scheme.toLowerCase(Locale.ROOT).matches("rediss?-sentinel(-.*)?");
    }

    /**
     * Reads the sentinels and the master name of a Sentinel URI.
     *
     * @param masterConfig how to connect to the data nodes
     * @param sentinelConfig how to connect to the sentinels
     * @throws BackplaneConfigurationException if no sentinel, an empty or bad host or port, or no
     *     master name is given
     */
    static RedisSentinel from(BackplaneConfig config, JedisClientConfig masterConfig, JedisClientConfig sentinelConfig) {
        URI uri = config.uri();
        String scheme = uri.getScheme();
        String example = scheme + "://host1:26379,host2:26379,host3:26379/?master=mymaster";
        String authority = config.rawHosts();
        if (authority.isBlank()) {
            throw new BackplaneConfigurationException("Redis Sentinel URI '" + config.redactedUri()
                    + "' names no sentinel; list them as host:port separated by commas, e.g. " + example);
        }
        List<HostAndPort> sentinels = new ArrayList<>();
        for (String part : authority.split(",", -1)) {
            sentinels.add(host(part, "Redis Sentinel URI '" + config.redactedUri() + "'", "sentinel", example,
                    DEFAULT_SENTINEL_PORT));
        }
        if (new LinkedHashSet<>(sentinels).size() != sentinels.size()) {
            throw new BackplaneConfigurationException("Redis Sentinel URI '" + config.redactedUri()
                    + "' names a sentinel twice; list each once, e.g. " + example);
        }
        String master = config.option(MASTER, "").trim();
        if (master.isEmpty()) {
            throw new BackplaneConfigurationException("Redis Sentinel URI '" + config.redactedUri()
                    + "' names no master: add ?" + MASTER + "=NAME, the name the sentinels monitor it by "
                    + "(sentinel monitor NAME host port quorum), e.g. " + example);
        }
        return new RedisSentinel(master, sentinels, masterConfig, sentinelConfig);
    }

    /**
     * One {@code host[:port]} of a several-host authority ({@code [::1]:port} for IPv6).
     *
     * @param where the URI, for messages
     * @param what what the host is, for messages: {@code sentinel}, {@code seed node}
     * @throws BackplaneConfigurationException if the host is empty or the port is no number from 1 to 65535
     */
    static HostAndPort host(String part, String where, String what, String example, int defaultPort) {
        if (part.isBlank()) {
            throw new BackplaneConfigurationException(where + " has an empty " + what + " in its list; write "
                    + "host:port separated by commas, e.g. " + example);
        }
        String host;
        String port;
        if (part.startsWith("[")) {
            int close = part.indexOf(']');
            if (close < 0) {
                throw new BackplaneConfigurationException(where + " has " + what + " '" + part
                        + "' with an unclosed '['; write an IPv6 address as [::1]:" + defaultPort);
            }
            host = part.substring(1, close);
            String rest = part.substring(close + 1);
            port = rest.isEmpty() ? null : rest.startsWith(":") ? rest.substring(1) : rest;
        } else {
            int colon = part.lastIndexOf(':');
            host = colon < 0 ? part : part.substring(0, colon);
            port = colon < 0 ? null : part.substring(colon + 1);
        }
        host = URLDecoder.decode(host, StandardCharsets.UTF_8);
        if (host.isBlank()) {
            throw new BackplaneConfigurationException(where + " has " + what + " '" + part + "' without a host, e.g. "
                    + example);
        }
        if (port == null) {
            return new HostAndPort(host, defaultPort);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 1 || number > 65535) {
            throw new BackplaneConfigurationException(where + " has " + what + " '" + part + "' with port '" + port
                    + "'; expected a port from 1 to 65535, e.g. " + example);
        }
        return new HostAndPort(host, number);
    }

    /** The name the sentinels monitor the master by. */
    public String masterName() {
        return masterName;
    }

    /** The sentinels, in the URI's order. */
    public List<HostAndPort> sentinels() {
        return sentinels;
    }

    /** {@code master 'NAME' via sentinels h1:p1,h2:p2}, for messages. */
    public String describe() {
        return "master '" + masterName + "' via sentinels "
                + sentinels.stream().map(HostAndPort::toString).collect(Collectors.joining(","));
    }

    /**
     * Asks the sentinels where the master is now (the first that answers tells), and starts the
     * listeners on their switch events if they do not run yet. Blocks up to the connect timeout
     * per sentinel that does not answer.
     *
     * @throws BackplaneConfigurationException if every sentinel that answered refused the login or
     *     monitors no master of that name
     * @throws BrokerUnavailableException if no sentinel answered
     */
    public Master locate() {
        if (closed) {
            throw new BrokerUnavailableException("the backplane was closed; not asking the sentinels for "
                    + describe());
        }
        List<String> failures = new ArrayList<>();
        List<HostAndPort> unknown = new ArrayList<>();
        BackplaneConfigurationException refused = null;
        for (HostAndPort sentinel : sentinels) {
            try (Jedis jedis = new Jedis(sentinel, sentinelConfig)) {
                List<String> address = jedis.sentinelGetMasterAddrByName(masterName);
                if (address != null && address.size() == 2) {
                    HostAndPort master = new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
                    return new Master(master, listening());
                }
                unknown.add(sentinel);
            } catch (JedisException | NumberFormatException e) {
                String reason = String.valueOf(e.getMessage());
                String upper = reason.toUpperCase(Locale.ROOT);
                if (upper.startsWith("WRONGPASS") || upper.startsWith("NOAUTH") || upper.contains("AUTH")
                        || upper.startsWith("NOPERM")) {
                    refused = new BackplaneConfigurationException("the sentinel at " + sentinel + " refused this "
                            + "client (" + reason + "); give the sentinels' user and password with options "
                            + SENTINEL_USER + " and " + SENTINEL_PASSWORD + " (the user and password in the URI are "
                            + "the data nodes')", e);
                }
                failures.add(sentinel + ": " + reason);
            }
        }
        if (refused != null && unknown.isEmpty()) {
            throw refused;
        }
        if (failures.isEmpty()) {
            throw new BackplaneConfigurationException("no sentinel of " + sentinelList() + " monitors a master named '"
                    + masterName + "'; check option " + MASTER + " (the name in their 'sentinel monitor NAME ...')");
        }
        throw new BrokerUnavailableException("no sentinel could tell where " + describe() + " is"
                + (unknown.isEmpty() ? "" : " (" + unknown + " monitor no master of that name)") + ": "
                + String.join("; ", failures));
    }

    /**
     * Whether the sentinels announced a new master since {@code master} was located: a connection
     * to it should be given up and made again. False while the listeners heard nothing new, or
     * only caught up with what {@link #locate()} had found.
     */
    public boolean moved(Master master) {
        SentineledConnectionProvider p = provider;
        if (p == null) {
            return false;
        }
        HostAndPort now = p.getCurrentMaster();
        return now != null && !now.equals(master.address()) && !now.equals(master.heard());
    }

    /** What the sentinel listeners heard last, starting them if they do not run yet (null if they cannot start). */
    private HostAndPort listening() {
        SentineledConnectionProvider p = provider;
        if (p == null) {
            synchronized (providerLock) {
                p = provider;
                if (p == null && !closed) {
                    try {
                        p = new SentineledConnectionProvider(masterName, masterConfig, Set.copyOf(sentinels),
                                sentinelConfig);
                        provider = p;
                    } catch (JedisException e) {
                        return null; // the sentinels just went away: the next locate() tries again
                    }
                }
            }
        }
        if (closed) {
            close();
            return null;
        }
        return p == null ? null : p.getCurrentMaster();
    }

    private String sentinelList() {
        return sentinels.stream().map(HostAndPort::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    /** Stops the sentinel listeners. Idempotent. */
    @Override
    public void close() {
        closed = true;
        SentineledConnectionProvider p;
        synchronized (providerLock) {
            p = provider;
            provider = null;
        }
        if (p != null) {
            try {
                p.close();
            } catch (RuntimeException e) {
                // closing is all we wanted
            }
        }
    }
}
