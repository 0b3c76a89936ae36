package dev.backplane.redis;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BrokerUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The Redis Cluster a backplane URI names, and which master owns which slot now:
 * {@code redis-cluster://[user:password@]host1:port1,host2:port2,...} lists seed nodes (any nodes of
 * the cluster; the rest are learnt from them); {@code rediss-cluster://} connects to every node over
 * TLS, with the certificate of each node checked against the host {@code CLUSTER SLOTS} names it by.
 *
 * <p>{@link #refresh()} asks the seeds and the masters last known, in turn, for {@code CLUSTER SLOTS};
 * the first answer is the slot map until the next refresh. A <em>shard</em> is named by the first
 * slot of its master's range: a failover hands the whole range to a replica, so the name stays.
 * The publisher places messages by this map too ({@link #knownOwner}), and reads it again when a
 * master answers {@code MOVED}.
 */
public final class RedisCluster {

    /** Redis's own default port, for a seed written without one. */
    static final int DEFAULT_PORT = 6379;

    /** One slot range and the master that owns it. */
    record Range(int first, int last, HostAndPort master) {
    }

    private final List<HostAndPort> seeds;
    private final JedisClientConfig clientConfig;
    private volatile List<Range> ranges = List.of();
    /** Tells a failure waiting cannot fix (a refused TLS handshake) from one it may: set by {@link RedisEndpoint#from}. */
    private volatile Function<RuntimeException, BackplaneConfigurationException> explain = e -> null;

    private RedisCluster(List<HostAndPort> seeds, JedisClientConfig clientConfig) {
        this.seeds = List.copyOf(seeds);
        this.clientConfig = clientConfig;
    }

    /**
     * Whether {@code scheme} is {@code redis-cluster} (pub/sub) or {@code redis-cluster-streams}, or
     * either over TLS ({@code rediss-cluster}, {@code rediss-cluster-streams}).
     */
    static boolean isClusterScheme(String scheme) {
        String s = scheme.toLowerCase(Locale.ROOT);
        return s.equals("redis-cluster") || s.equals("redis-cluster-streams") || s.equals("rediss-cluster")
                || s.equals("rediss-cluster-streams");
    }

    /**
     * Reads the seed nodes of a cluster URI.
     *
     * @throws BackplaneConfigurationException if no seed, an empty or bad host or port, a seed twice,
     *     or a database path is given (a cluster has database 0 only)
     */
    static RedisCluster from(BackplaneConfig config, JedisClientConfig clientConfig) {
        String example = "redis-cluster://host1:7000,host2:7001,host3:7002";
        String where = "Redis Cluster URI '" + config.redactedUri() + "'";
        String authority = config.rawHosts();
        if (authority.isBlank()) {
            throw new BackplaneConfigurationException(where + " names no seed node; list one or more nodes of the "
                    + "cluster as host:port separated by commas, e.g. " + example);
        }
        List<HostAndPort> seeds = new ArrayList<>();
        for (String part : authority.split(",", -1)) {
            seeds.add(RedisSentinel.host(part, where, "seed node", example, DEFAULT_PORT));
        }
        if (new LinkedHashSet<>(seeds).size() != seeds.size()) {
            throw new BackplaneConfigurationException(where + " names a seed node twice; list each once, e.g. "
                    + example);
        }
        if (clientConfig.getDatabase() != 0) {
            throw new BackplaneConfigurationException(where + " selects database " + clientConfig.getDatabase()
                    + "; a Redis Cluster has database 0 only: drop the path, e.g. " + example);
        }
        return new RedisCluster(seeds, clientConfig);
    }

    /** How to recognise, in a node's failure to answer, a problem of configuration (TLS) to report as such. */
    void explainFailuresWith(Function<RuntimeException, BackplaneConfigurationException> explain) {
        this.explain = explain;
    }

    /** The seed nodes, in the URI's order. */
    public List<HostAndPort> seeds() {
        return seeds;
    }

    /** {@code cluster via seeds h1:p1,h2:p2}, for messages. */
    public String describe() {
        return "cluster via seeds " + seeds.stream().map(HostAndPort::toString).collect(Collectors.joining(","));
    }

    /** The slot of a Redis channel name (its hash tag's, if it has one), as Redis computes it. */
    static int slot(byte[] redisName) {
        return JedisClusterCRC16.getSlot(redisName);
    }

    /**
     * The shard that owns {@code slot} by the slot map last read (read now if there is none).
     *
     * @throws BrokerUnavailableException if no node answers, or no master owns the slot
     */
    int shardOf(int slot) {
        Range range = find(ranges, slot);
        if (range == null) {
            range = find(refresh(), slot);
        }
        if (range == null) {
            throw new BrokerUnavailableException("no master of the Redis " + describe() + " owns slot " + slot
                    + " (the cluster is not ok)");
        }
        return range.first();
    }

    /** Every shard of the slot map last read (read now if there is none). */
    List<Integer> shards() {
        List<Range> known = ranges.isEmpty() ? refresh() : ranges;
        return known.stream().map(Range::first).distinct().toList();
    }

    /** The master that owns {@code slot} by the slot map last read, or null if that map names none. */
    HostAndPort knownOwner(int slot) {
        Range range = find(ranges, slot);
        return range == null ? null : range.master();
    }

    /**
     * The master that owns {@code slot} now: asks the cluster again.
     *
     * @throws BrokerUnavailableException if no node answers, or no master owns the slot
     */
    HostAndPort ownerNow(int slot) {
        Range range = find(refresh(), slot);
        if (range == null) {
            throw new BrokerUnavailableException("no master of the Redis " + describe() + " owns slot " + slot
                    + " now (a failover is under way, or the cluster is not ok)");
        }
        return range.master();
    }

    private static Range find(List<Range> ranges, int slot) {
        for (Range r : ranges) {
            if (r.first() <= slot && slot <= r.last()) {
                return r;
            }
        }
        return null;
    }

    /**
     * Reads {@code CLUSTER SLOTS} from the masters last known, then the seeds; the first answer wins.
     *
     * @throws BrokerUnavailableException if no node answers
     * @throws BackplaneConfigurationException if a node refused the TLS handshake, or this client refused
     *     the node's certificate: asking again would not help
     */
    List<Range> refresh() {
        Set<HostAndPort> nodes = new LinkedHashSet<>();
        ranges.forEach(r -> nodes.add(r.master()));
        nodes.addAll(seeds);
        RuntimeException last = null;
        for (HostAndPort node : nodes) {
            try (Jedis jedis = new Jedis(node, clientConfig)) {
                List<Range> read = new ArrayList<>();
                for (Object entry : jedis.clusterSlots()) {
                    List<?> range = (List<?>) entry;
                    List<?> master = (List<?>) range.get(2);
                    read.add(new Range(((Long) range.get(0)).intValue(), ((Long) range.get(1)).intValue(),
                            new HostAndPort(text(master.get(0)), ((Long) master.get(1)).intValue())));
                }
                if (!read.isEmpty()) {
                    ranges = List.copyOf(read);
                    return ranges;
                }
            } catch (RuntimeException e) {
                BackplaneConfigurationException configuration = explain.apply(e);
                if (configuration != null) {
                    throw configuration;
                }
                last = e;
            }
        }
        BrokerUnavailableException failure = new BrokerUnavailableException("no node of the Redis " + describe()
                + " told its slot map" + (last == null ? "" : ": " + RedisCluster.clean(last.getMessage())));
        throw failure;
    }

    /**
     * {@code message} with Redis's own error words (MOVED, ASK, CLUSTERDOWN, READONLY, TRYAGAIN)
     * said in plain words, so that a caller never has to read the cluster protocol.
     */
    static String clean(String message) {
        String text = String.valueOf(message);
        String upper = text.toUpperCase(Locale.ROOT);
        if (upper.contains("CLUSTERDOWN") || upper.contains("MOVED") || upper.contains("READONLY")
                || upper.contains("TRYAGAIN") || upper.contains("ASK ")) {
            return "the shard is failing over or its slots are moving";
        }
        return text;
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.US_ASCII) : String.valueOf(o);
    }
}
