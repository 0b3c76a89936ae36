package dev.backplane.redis;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.spi.TlsSettings;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/**
 * Where a Redis server is and how to log in, read from a backplane URI:
 * {@code redis://[[user]:password@]host[:port][/database]}; a scheme starting with {@code rediss}
 * ({@code rediss}, {@code rediss-streams}) means TLS. Shared by the Redis pub/sub and Redis Streams
 * backplanes.
 *
 * <p>Credentials: {@code user:password@} logs in as that ACL user; {@code :password@} or
 * {@code password@} as Redis's {@code default} user (what {@code requirepass} sets).
 *
 * <p>TLS: the options of {@link TlsSettings} ({@code tlsCaFile} or {@code tlsTrustStore},
 * {@code tlsCertFile}+{@code tlsKeyFile} or {@code tlsKeyStore}, {@code tlsVerifyHostname}); on a
 * plain scheme any of them is refused at {@link #from}. Jedis gets the socket factory of their
 * {@code SSLContext} and their {@code SSLParameters}, which carry the host name check
 * (endpoint identification {@code HTTPS}, made during the handshake, against the URI's host) unless
 * {@code tlsVerifyHostname=false}. No Jedis {@code HostnameVerifier} is set: it would be asked after
 * the handshake through {@code getSession()}, which hides a failed handshake behind an empty
 * session, and endpoint identification already checks the name. Jedis's {@code SslOptions} is not
 * used either: it reads only key stores, not PEM files, and makes a new context per connection.
 *
 * <p>Redis Sentinel: {@code redis-sentinel://[[user]:password@]host1:port1,host2:port2/[database]?master=NAME}
 * (and {@code redis-sentinel-streams://} for Streams) names the sentinels instead of the server,
 * and {@link #locate()} asks them where the master is now (see {@link RedisSentinel}); the
 * credentials are the data nodes', options {@code sentinelUser} and {@code sentinelPassword} the
 * sentinels'. Not over TLS: there is no {@code rediss-sentinel} scheme.
 *
 * <p>Redis Cluster: {@code redis-cluster://[[user]:password@]host1:port1,host2:port2,...} (and
 * {@code redis-cluster-streams://} for Streams; {@code rediss-cluster://} and
 * {@code rediss-cluster-streams://} over TLS) names seed nodes (see {@link RedisCluster}); database 0. {@link #locate(String)} asks the cluster which master owns a key's slot now.
 *
 * @param address host and port (default port 6379); for a Sentinel URI, the first sentinel
 * @param clientConfig Jedis settings: credentials, database, TLS, timeouts, client name
 * @param tls whether the connection uses TLS
 * @param tlsSettings the TLS options read from the URI ({@link TlsSettings#enabled()} is {@code tls})
 * @param sentinel the sentinels that name the master, or null for a URI that names the server
 * @param cluster the Redis Cluster a {@code redis-cluster://} URI names by its seed nodes, else null
 */
public record RedisEndpoint(HostAndPort address, JedisClientConfig clientConfig, boolean tls, TlsSettings tlsSettings,
        RedisSentinel sentinel, RedisCluster cluster) implements AutoCloseable {

    /** Option: the client name shown by {@code CLIENT LIST}. */
    public static final String CLIENT_NAME = "clientName";

    /** Options every Redis backplane accepts besides the common ones: the client name, the TLS and the Sentinel options. */
    public static final Set<String> OPTIONS = options();

    private static Set<String> options() {
        Set<String> all = new HashSet<>(TlsSettings.OPTIONS);
        all.addAll(RedisSentinel.OPTIONS);
        all.add(CLIENT_NAME);
        return Set.copyOf(all);
    }

    /**
     * Reads the endpoint from {@code config}.
     *
     * @throws BackplaneConfigurationException if the URI has no host, a bad port or a bad database,
     *         or a TLS option is given on a plain scheme, names a file that cannot be read, or
     *         conflicts with another
     */
    public static RedisEndpoint from(BackplaneConfig config) {
        URI uri = config.uri();
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        boolean tls = scheme.startsWith("rediss");
        boolean sentinel = RedisSentinel.isSentinelScheme(scheme);
        boolean cluster = RedisCluster.isClusterScheme(scheme);
        if (!sentinel) {
            for (String option : RedisSentinel.OPTIONS) {
                if (config.options().containsKey(option)) {
                    throw new BackplaneConfigurationException("option '" + option + "' is for Redis Sentinel URIs "
                            + "(redis-sentinel://host1:port1,host2:port2/?master=NAME, redis-sentinel-streams://...), "
                            + "not for " + scheme + "://, which names the server itself: " + config.redactedUri());
                }
            }
        }
        if (sentinel && tls) {
            throw new BackplaneConfigurationException("Redis Sentinel over TLS is not supported: " + config.redactedUri()
                    + "; use " + scheme.replaceFirst("^rediss", "redis") + ":// on a network you trust");
        }
        if (!sentinel && !cluster && uri.getHost() == null) {
            throw new BackplaneConfigurationException("Redis URI '" + config.redactedUri()
                    + "' names no host; write " + scheme + "://host:port, e.g. " + scheme + "://localhost:6379");
        }
        int port = uri.getPort() == -1 ? 6379 : uri.getPort();
        if (!sentinel && !cluster && (port < 1 || port > 65535)) {
            throw new BackplaneConfigurationException("Redis URI '" + config.redactedUri() + "' has port " + port
                    + "; expected a port from 1 to 65535, e.g. " + scheme + "://localhost:6379");
        }
        TlsSettings tlsSettings = TlsSettings.from(config, tls);
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .ssl(tls)
                .connectionTimeoutMillis(millis(config.connectTimeout()))
                .socketTimeoutMillis(millis(config.publishTimeout()))
                .database(database(uri, config))
                .clientName(config.option(CLIENT_NAME, "backplane-" + config.prefix()));
        if (tls) {
            // Never null parameters: Jedis would then make its own, with the host check always on.
            builder.sslSocketFactory(tlsSettings.context().getSocketFactory()).sslParameters(tlsSettings.parameters());
        }
        String userInfo = config.rawUserInfo(); // also before several hosts (Sentinel)
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                // redis://password@host is the common shorthand for the default user
                builder.password(decode(userInfo));
            } else {
                String user = decode(userInfo.substring(0, colon));
                if (!user.isEmpty()) {
                    builder.user(user);
                }
                builder.password(decode(userInfo.substring(colon + 1)));
            }
        }
        JedisClientConfig clientConfig = builder.build();
        if (cluster) {
            RedisCluster nodes = RedisCluster.from(config, clientConfig);
            RedisEndpoint endpoint = new RedisEndpoint(nodes.seeds().get(0), clientConfig, tls, tlsSettings, null, nodes);
            nodes.explainFailuresWith(e -> RedisConnections.tlsProblem(endpoint, e));
            return endpoint;
        }
        if (!sentinel) {
            return new RedisEndpoint(new HostAndPort(uri.getHost(), port), clientConfig, tls, tlsSettings, null, null);
        }
        DefaultJedisClientConfig.Builder sentinelConfig = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(config.connectTimeout()))
                .socketTimeoutMillis(millis(config.connectTimeout()))
                .clientName(clientConfig.getClientName());
        String sentinelUser = config.option(RedisSentinel.SENTINEL_USER, "");
        String sentinelPassword = config.option(RedisSentinel.SENTINEL_PASSWORD, "");
        if (!sentinelUser.isEmpty() && sentinelPassword.isEmpty()) {
            throw new BackplaneConfigurationException("option '" + RedisSentinel.SENTINEL_USER + "' needs option '"
                    + RedisSentinel.SENTINEL_PASSWORD + "' too, in " + config.redactedUri());
        }
        if (!sentinelUser.isEmpty()) {
            sentinelConfig.user(sentinelUser);
        }
        if (!sentinelPassword.isEmpty()) {
            sentinelConfig.password(sentinelPassword);
        }
        RedisSentinel sentinels = RedisSentinel.from(config, clientConfig, sentinelConfig.build());
        return new RedisEndpoint(sentinels.sentinels().get(0), clientConfig, tls, tlsSettings, sentinels, null);
    }

    /**
     * Where to connect now: the URI's server, or the master the sentinels name at this moment.
     *
     * @throws dev.backplane.BrokerUnavailableException if no sentinel answers
     * @throws BackplaneConfigurationException if the sentinels refuse the login or know no such master
     */
    public RedisSentinel.Master locate() {
        return sentinel == null ? new RedisSentinel.Master(address, address) : sentinel.locate();
    }

    /**
     * Where to connect now for {@code key}: the URI's server, the master the sentinels name at this
     * moment, or, on a cluster, the master that owns the key's slot now, asked of the cluster.
     *
     * @throws dev.backplane.BrokerUnavailableException if no sentinel or cluster node answers, or no
     *     master owns the slot (a failover is under way)
     * @throws BackplaneConfigurationException if the sentinels refuse the login or know no such master
     */
    public RedisSentinel.Master locate(String key) {
        if (cluster == null) {
            return locate();
        }
        HostAndPort owner = cluster.ownerNow(RedisCluster.slot(key.getBytes(StandardCharsets.UTF_8)));
        return new RedisSentinel.Master(owner, owner);
    }

    /**
     * Whether the sentinels named another master since {@code master} was located; always false
     * without them (on a cluster, a moved slot shows as a {@code MOVED} refusal instead).
     */
    public boolean moved(RedisSentinel.Master master) {
        return sentinel != null && sentinel.moved(master);
    }

    /**
     * {@code host:port}, or for Sentinel {@code master 'NAME' via sentinels h1:p1,h2:p2}, for a
     * cluster {@code cluster via seeds h1:p1,h2:p2}, for messages.
     */
    public String hostAndPort() {
        if (cluster != null) {
            return cluster.describe();
        }
        return sentinel == null ? address.getHost() + ":" + address.getPort() : sentinel.describe();
    }

    /** Stops the sentinel listeners, if any; the backplane closes it with itself. */
    @Override
    public void close() {
        if (sentinel != null) {
            sentinel.close();
        }
    }

    /** The ACL user the URI names, or {@code "default"} (Redis' user when none is named). */
    public String userName() {
        String user = clientConfig.getUser();
        return user == null ? "default" : user;
    }

    private static int database(URI uri, BackplaneConfig config) {
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        try {
            int db = Integer.parseInt(path.substring(1));
            if (db < 0) {
                throw new NumberFormatException();
            }
            return db;
        } catch (NumberFormatException e) {
            throw new BackplaneConfigurationException("Redis URI '" + config.redactedUri() + "' has path '" + path
                    + "'; the path can only be a database number, e.g. /0");
        }
    }

    private static int millis(java.time.Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
