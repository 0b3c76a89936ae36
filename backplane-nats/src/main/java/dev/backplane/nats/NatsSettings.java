package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.spi.TlsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * The connection settings both NATS providers read from a backplane URI:
 * {@code nats://[user:password@|token@]host[:port][,host[:port]...][?options]} and
 * {@code jetstream://...} for a plain connection, {@code tls://...} and {@code jetstreams://...} for
 * TLS (core NATS and JetStream by default). Several servers (those of one cluster) are separated
 * by commas, in the URI or in the option {@code servers}; jnats connects to one of them, picked at
 * random, and reconnects to another when it fails, also to those the cluster announces. TLS is set by the scheme alone; the TLS options are those of
 * {@link TlsSettings}, refused on a plain scheme.
 *
 * @param tls the context TLS connections are made with (host name checked unless
 *        {@code tlsVerifyHostname=false}); null for a plain connection
 * @param inboxPrefix the subject prefix of the connection's reply subjects, {@code _INBOX.<prefix>}
 *        by default, so that a user's permissions can be limited to its own replies
 */
record NatsSettings(
        List<String> servers,
        NatsCredentials credentials,
        SSLContext tls,
        String inboxPrefix,
        Duration connectTimeout,
        Duration reconnectWait,
        Duration pingInterval,
        String connectionName,
        String description) {

    static final int DEFAULT_PORT = 4222;

    /** Extra servers of a cluster, {@code host:port} separated by commas; the URI's scheme applies. */
    static final String SERVERS = "servers";
    /** Pause between reconnect attempts. */
    static final String RECONNECT_WAIT = "reconnectWait";
    /** How often an idle connection is checked with a PING. */
    static final String PING_INTERVAL = "pingInterval";
    /** The name the connection shows in the server's monitoring. */
    static final String CONNECTION_NAME = "connectionName";

    /** The subject prefix of the connection's reply subjects (its inboxes). */
    static final String INBOX_PREFIX = "inboxPrefix";
    /** Not read: TLS is chosen by the scheme. Accepted only to be refused with that hint. */
    static final String TLS = "tls";

    /** Options of the connection, accepted by both providers: these, the TLS ones and the credentials. */
    static final Set<String> OPTIONS = all(Set.of(SERVERS, RECONNECT_WAIT, PING_INTERVAL, CONNECTION_NAME, INBOX_PREFIX,
            TLS), TlsSettings.OPTIONS, NatsCredentials.OPTIONS);

    static final Duration DEFAULT_RECONNECT_WAIT = Duration.ofMillis(250);
    static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);

    /**
     * Reads the settings of {@code config}'s URI and options.
     *
     * @throws BackplaneConfigurationException naming what is wrong and how to write it instead
     */
    static NatsSettings of(BackplaneConfig config) {
        URI uri = config.uri();
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String clientScheme = switch (scheme) {
            case "nats", "jetstream" -> "nats";
            case "tls", "jetstreams" -> "tls";
            default -> throw new BackplaneConfigurationException("scheme '" + scheme + "' of " + config.redactedUri()
                    + " is not a NATS scheme; write nats://host:port or jetstream://host:port, and for TLS "
                    + "tls://host:port or jetstreams://host:port");
        };
        if (config.options().containsKey(TLS)) {
            throw new BackplaneConfigurationException("option 'tls' of " + config.redactedUri() + " is not read: the "
                    + "scheme says whether the connection uses TLS; write tls://host:port (core NATS) or "
                    + "jetstreams://host:port (JetStream) for TLS, nats:// or jetstream:// without");
        }
        TlsSettings tls = TlsSettings.from(config, clientScheme.equals("tls"));
        List<String> hosts = NatsServerList.hosts(config, scheme);
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw new BackplaneConfigurationException("NATS URI " + config.redactedUri() + " has a path ('"
                    + uri.getRawPath() + "'), which NATS does not use; the namespace is the option prefix, e.g. "
                    + scheme + "://" + hosts.get(0) + "?prefix=myapp");
        }
        List<String> servers = new ArrayList<>();
        for (String host : hosts) {
            servers.add(clientScheme + "://" + host);
        }
        String extra = config.option(SERVERS, "").trim();
        if (!extra.isEmpty()) {
            for (String server : extra.split(",", -1)) {
                servers.add(clientScheme + "://" + NatsServerList.server(config, "option 'servers'", server.trim(), scheme));
            }
        }

        NatsCredentials credentials = NatsCredentials.of(config);
        String inboxPrefix = inboxPrefix(config);
        String name = config.option(CONNECTION_NAME, "backplane-" + config.prefix());
        String description = scheme + "://" + hosts.get(0)
                + (servers.size() > 1 ? " (+" + (servers.size() - 1) + " more)" : "");
        return new NatsSettings(List.copyOf(servers), credentials, tls.enabled() ? context(tls) : null, inboxPrefix,
                config.connectTimeout(),
                config.duration(RECONNECT_WAIT, DEFAULT_RECONNECT_WAIT),
                config.duration(PING_INTERVAL, DEFAULT_PING_INTERVAL), name, description);
    }

    /** The TLS context, checking the server's host name unless that was turned off. */
    private static SSLContext context(TlsSettings tls) {
        return tls.verifyHostname() ? HostVerifyingContext.wrap(tls.context(), tls.parameters()) : tls.context();
    }

    private static String inboxPrefix(BackplaneConfig config) {
        String inbox = config.option(INBOX_PREFIX, "_INBOX." + config.prefix());
        if (!inbox.matches("[A-Za-z0-9_$:=@+-]+(\\.[A-Za-z0-9_$:=@+-]+)*")) {
            throw new BackplaneConfigurationException("option '" + INBOX_PREFIX + "' of " + config.redactedUri()
                    + " has value '" + inbox + "'; expected a literal subject (tokens of letters, digits and - _ $ : = @ +"
                    + " separated by single dots, no wildcard), e.g. _INBOX." + config.prefix());
        }
        return inbox;
    }

    @SafeVarargs
    private static Set<String> all(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return Set.copyOf(all);
    }
}
