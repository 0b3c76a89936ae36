package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the servers of a NATS URI's authority, {@code [userinfo@]host[:port][,host[:port]...]}.
 * With more than one server the authority is not a single host, so {@link URI#getHost()} is null
 * and the raw authority is read here instead.
 */
final class NatsServerList {

    private NatsServerList() {
    }

    /**
     * The servers of the URI as {@code host:port} (IPv6 hosts in brackets), port 4222 where none is given.
     *
     * @throws BackplaneConfigurationException for no host, an empty entry, a bad port or a second scheme
     */
    static List<String> hosts(BackplaneConfig config, String scheme) {
        URI uri = config.uri();
        String rest = uri.getRawSchemeSpecificPart();
        rest = rest == null || rest.indexOf('?') < 0 ? rest : rest.substring(0, rest.indexOf('?'));
        if (rest != null && rest.indexOf("://", 2) >= 0) {
            // nats://h1:4222,tls://h2:4222 reads as authority "h1:4222,tls:" and path "//h2:4222".
            throw new BackplaneConfigurationException("NATS URI " + config.redactedUri() + " names a scheme more than "
                    + "once; one scheme applies to every server: write " + scheme + "://h1:4222,h2:4222,h3:4222 "
                    + "(plain or TLS for all of them)");
        }
        String hostPart = config.rawHosts();
        if (hostPart.isBlank()) {
            throw new BackplaneConfigurationException("NATS URI " + config.redactedUri() + " names no host; write "
                    + scheme + "://host:port, e.g. " + scheme + "://localhost:" + NatsSettings.DEFAULT_PORT
                    + ", or several servers of a cluster as " + scheme + "://h1:4222,h2:4222,h3:4222");
        }
        List<String> servers = new ArrayList<>();
        for (String entry : hostPart.split(",", -1)) {
            servers.add(server(config, "NATS URI", entry, scheme));
        }
        return List.copyOf(servers);
    }

    /**
     * One {@code host[:port]} entry as {@code host:port}.
     *
     * @param where what holds the entry, for the message
     */
    static String server(BackplaneConfig config, String where, String entry, String scheme) {
        String example = "; expected host:port entries separated by commas, e.g. " + scheme
                + "://nats1:4222,nats2:4222,nats3:4222";
        if (entry.contains("://")) {
            throw new BackplaneConfigurationException(where + " of " + config.redactedUri() + " holds '" + entry
                    + "' with a scheme of its own; the URI's scheme (" + scheme + ") applies to every server" + example);
        }
        String host;
        String port;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            host = close < 0 ? "" : entry.substring(0, close + 1);
            String after = close < 0 ? "" : entry.substring(close + 1);
            if (close < 0 || !(after.isEmpty() || after.startsWith(":"))) {
                throw new BackplaneConfigurationException(where + " of " + config.redactedUri() + " holds '" + entry
                        + "', not a bracketed IPv6 address with an optional port" + example);
            }
            port = after.isEmpty() ? null : after.substring(1);
        } else {
            int colon = entry.lastIndexOf(':');
            host = colon < 0 ? entry : entry.substring(0, colon);
            port = colon < 0 ? null : entry.substring(colon + 1);
        }
        if (host.isBlank()) {
            throw new BackplaneConfigurationException(where + " of " + config.redactedUri() + " holds "
                    + (entry.isBlank() ? "an empty server entry" : "'" + entry + "' with no host") + example);
        }
        if (port == null) {
            return host + ":" + NatsSettings.DEFAULT_PORT;
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) == 0 || Integer.parseInt(port) > 65535) {
            throw new BackplaneConfigurationException(where + " of " + config.redactedUri() + " holds '" + entry
                    + "' whose port '" + port + "' is not a number from 1 to 65535" + example);
        }
        return host + ":" + port;
    }
}
