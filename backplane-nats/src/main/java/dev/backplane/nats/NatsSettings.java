package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The connection settings both NATS providers read from a backplane URI:
 * {@code nats://[user:password@|token@]host[:port][?options]}, {@code tls://...} for TLS, and
 * {@code jetstream://...} (plain connection, JetStream provider).
 */
record NatsSettings(
        List<String> servers,
        String user,
        String password,
        String token,
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

    /** Options of the connection, accepted by both providers. */
    static final Set<String> OPTIONS = Set.of(SERVERS, RECONNECT_WAIT, PING_INTERVAL, CONNECTION_NAME);

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
            case "tls" -> "tls";
            default -> throw new BackplaneConfigurationException("scheme '" + scheme + "' of " + config.redactedUri()
                    + " is not a NATS scheme; write nats://host:port, tls://host:port or jetstream://host:port");
        };
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new BackplaneConfigurationException("NATS URI " + config.redactedUri()
                    + " names no host; write " + scheme + "://host:port, e.g. " + scheme + "://localhost:" + DEFAULT_PORT);
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw new BackplaneConfigurationException("NATS URI " + config.redactedUri() + " has a path ('"
                    + uri.getRawPath() + "'), which NATS does not use; the namespace is the option prefix, e.g. "
                    + scheme + "://" + host + "?prefix=myapp");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORT;
        List<String> servers = new ArrayList<>();
        servers.add(clientScheme + "://" + hostForUrl(host) + ":" + port);
        String extra = config.option(SERVERS, "").trim();
        if (!extra.isEmpty()) {
            for (String server : extra.split(",")) {
                servers.add(clientScheme + "://" + extraServer(config, server.trim()));
            }
        }

        String user = null;
        String password = null;
        String token = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                token = decode(userInfo);
            } else {
                user = decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            }
        }

        String name = config.option(CONNECTION_NAME, "backplane-" + config.prefix());
        String description = scheme + "://" + hostForUrl(host) + ":" + port
                + (servers.size() > 1 ? " (+" + (servers.size() - 1) + " more)" : "");
        return new NatsSettings(List.copyOf(servers), user, password, token, config.connectTimeout(),
                config.duration(RECONNECT_WAIT, DEFAULT_RECONNECT_WAIT),
                config.duration(PING_INTERVAL, DEFAULT_PING_INTERVAL), name, description);
    }

    private static String extraServer(BackplaneConfig config, String server) {
        int colon = server.lastIndexOf(':');
        String host = colon < 0 ? server : server.substring(0, colon);
        String port = colon < 0 ? Integer.toString(DEFAULT_PORT) : server.substring(colon + 1);
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) == 0 || Integer.parseInt(port) > 65535) {
            throw new BackplaneConfigurationException("option 'servers' of " + config.redactedUri() + " holds '" + server
                    + "'; expected host:port entries separated by commas, e.g. servers=nats2:4222,nats3:4222");
        }
        return host + ":" + port;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }
}
