package dev.backplane.redis;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.spi.Backoff;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Opens Jedis connections to a {@link RedisEndpoint} and turns Jedis failures into the backplane's
 * exceptions, with messages that name the server, the user and the fix (never the password).
 */
public final class RedisConnections {

    private RedisConnections() {
    }

    /**
     * The waits between attempts to reach Redis again: 50 ms after the first failure, doubling up
     * to 1 s, so that a restarted server is found within about a second. One per thread that owns
     * a connection.
     */
    public static Backoff reconnectBackoff() {
        return new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
    }

    /**
     * A connected, authenticated connection with the endpoint's database selected.
     *
     * @throws BrokerUnavailableException if the server cannot be reached within the connect timeout
     * @throws BackplaneConfigurationException if it refuses the credentials
     */
    public static Connection open(RedisEndpoint endpoint) {
        return open(endpoint, endpoint.locate());
    }

    /**
     * As {@link #open(RedisEndpoint)}, to the master {@code master} located (for a Sentinel URI,
     * checked to be a master still: see {@link #requireMaster}).
     */
    public static Connection open(RedisEndpoint endpoint, RedisSentinel.Master master) {
        Connection connection;
        try {
            connection = new Connection(master.address(), endpoint.clientConfig());
        } catch (JedisException e) {
            BackplaneConfigurationException tls = tlsProblem(endpoint, e);
            throw tls != null ? tls : translate(endpoint, e, "connecting");
        }
        requireMaster(endpoint, master, connection);
        return connection;
    }

    /**
     * For a Sentinel URI: asks the server just connected to for its {@code ROLE} and, if it is no
     * master (the sentinels named it a moment before a failover demoted it, or before they noticed
     * that it restarted as a replica), closes the connection and throws, so that the caller tries
     * again and asks the sentinels anew. A user who may not run {@code ROLE} is taken at the
     * sentinels' word. Nothing to do for a URI that names the server.
     *
     * @throws BrokerUnavailableException if the server is not the master, or fails to answer
     */
    public static void requireMaster(RedisEndpoint endpoint, RedisSentinel.Master master, Connection connection) {
        if (endpoint.sentinel() == null) {
            return;
        }
        Object reply;
        try {
            connection.sendCommand(Protocol.Command.ROLE);
            reply = connection.getOne();
        } catch (JedisDataException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOPERM")) {
                return;
            }
            closeQuietly(connection);
            throw translate(endpoint, e, "asking " + master.address() + " for its role");
        } catch (JedisException e) {
            closeQuietly(connection);
            throw translate(endpoint, e, "asking " + master.address() + " for its role");
        }
        if (reply instanceof java.util.List<?> role && !role.isEmpty() && role.get(0) instanceof byte[] name
                && "master".equals(new String(name, java.nio.charset.StandardCharsets.US_ASCII))) {
            return;
        }
        closeQuietly(connection);
        throw new BrokerUnavailableException("the sentinels named " + master.address() + " the " + endpoint.hostAndPort()
                + ", but it is a replica now (a failover is under way); asking the sentinels again");
    }

    /**
     * Whether Redis refused a write because the server is a replica ({@code READONLY}): behind a
     * Sentinel URI, the master moved. The command was not executed.
     */
    public static boolean isReadOnly(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof JedisDataException && String.valueOf(t.getMessage()).startsWith("READONLY")) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (RuntimeException e) {
            // already broken
        }
    }

    /**
     * The TLS problem behind a failed attempt to connect, or null if TLS is not to blame: a
     * handshake that failed (the server's certificate is not trusted, does not name the host, or
     * the server refused the client), or a connection the server dropped right after the
     * handshake. TLS 1.3 servers check the client's certificate only once the client has finished
     * its side of the handshake, so a server that requires one (Redis's {@code tls-auth-clients
     * yes}) and refuses this client shows as a reset connection; then a second handshake that
     * sends nothing and only listens gets the server's alert, which tells why.
     *
     * @param failure what opening the Jedis connection threw
     */
    public static BackplaneConfigurationException tlsProblem(RedisEndpoint endpoint, Throwable failure) {
        if (!endpoint.tls()) {
            return null;
        }
        BackplaneConfigurationException handshake = handshakeFailure(endpoint, failure);
        if (handshake != null) {
            return handshake;
        }
        if (!droppedAfterConnecting(failure)) {
            return null;
        }
        String alert = serverAlert(endpoint);
        return alert == null ? null : clientRefused(endpoint, alert, failure);
    }

    /**
     * A failed TLS handshake somewhere in {@code failure}'s causes, explained (what
     * {@link #tlsProblem} finds without connecting again); null if there is none.
     */
    public static BackplaneConfigurationException handshakeFailure(RedisEndpoint endpoint, Throwable failure) {
        if (!endpoint.tls()) {
            return null;
        }
        String where = "Redis at " + endpoint.hostAndPort();
        String host = endpoint.address().getHost();
        SSLException ssl = null;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof CertificateException && isHostMismatch(t.getMessage())) {
                return new BackplaneConfigurationException("the TLS handshake with " + where + " failed: the server's "
                        + "certificate does not match the host '" + host + "' (" + t.getMessage() + "); connect by a "
                        + "name the certificate holds, or set tlsVerifyHostname=false to accept any name the trusted "
                        + "authority signed", failure);
            }
            if (t instanceof CertificateException || t instanceof CertPathBuilderException
                    || t instanceof CertPathValidatorException) {
                if (deepest(t) instanceof CertificateExpiredException expired) {
                    return new BackplaneConfigurationException("the TLS handshake with " + where + " failed: the "
                            + "server's certificate is not trusted: it has expired (" + expired.getMessage() + ")", failure);
                }
                return new BackplaneConfigurationException("the TLS handshake with " + where + " failed: the server's "
                        + "certificate is not trusted (" + deepest(t).getMessage() + "); give the authority that signed "
                        + "it with tlsCaFile (PEM) or tlsTrustStore"
                        + (endpoint.tlsSettings().caFile().isEmpty() && endpoint.tlsSettings().trustStore().isEmpty()
                                ? " (without either, only the JVM's default authorities are trusted)"
                                : ", in place of the one given"), failure);
            }
            if (t instanceof SSLException e && ssl == null) {
                ssl = e;
            }
        }
        if (ssl == null) {
            return null;
        }
        String message = String.valueOf(ssl.getMessage());
        if (message.contains("Received fatal alert")) {
            return clientRefused(endpoint, message, failure);
        }
        if (ssl instanceof SSLHandshakeException || message.contains("Unsupported or unrecognized SSL message")) {
            return new BackplaneConfigurationException("the TLS handshake with " + where + " failed (" + message
                    + "); check that the port is Redis's TLS port (tls-port), or use redis:// for a plain one", failure);
        }
        return null;
    }

    private static BackplaneConfigurationException clientRefused(RedisEndpoint endpoint, String alert, Throwable failure) {
        String where = "Redis at " + endpoint.hostAndPort();
        boolean hasCertificate = endpoint.tlsSettings().certFile().isPresent()
                || endpoint.tlsSettings().keyStore().isPresent();
        if (alert.contains("certificate_required") || (!hasCertificate && alert.contains("handshake_failure"))) {
            return new BackplaneConfigurationException(where + " requires a client certificate (mutual TLS: "
                    + "tls-auth-clients yes) and refused this client, which has none (the server said: " + alert
                    + "); give the client's certificate and key with tlsCertFile and tlsKeyFile, or tlsKeyStore", failure);
        }
        return new BackplaneConfigurationException(where + " refused this client's TLS certificate (the server said: "
                + alert + "); the client certificate (tlsCertFile or tlsKeyStore) must be signed by an authority the "
                + "server trusts (its tls-ca-cert-file) and be valid now", failure);
    }

    private static boolean isHostMismatch(String message) {
        return message != null && (message.startsWith("No subject alternative") || message.startsWith("No name matching"));
    }

    /**
     * Whether the connection was made and then dropped (reset, broken pipe, end of stream): what a
     * TLS 1.3 server that refuses the client's certificate looks like. Not a refused connection, a
     * timeout or an unknown host.
     */
    private static boolean droppedAfterConnecting(Throwable failure) {
        boolean dropped = false;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof UnknownHostException) {
                return false;
            }
            String message = String.valueOf(t.getMessage());
            if (t instanceof SocketException || t instanceof EOFException || message.contains("Unexpected end of stream")) {
                dropped = true;
            }
        }
        return dropped;
    }

    /**
     * Connects again, completes a handshake with the endpoint's TLS settings, sends nothing and
     * waits briefly for the server's alert: its message, such as {@code Received fatal alert:
     * certificate_required}, or null if the server sent none.
     */
    private static String serverAlert(RedisEndpoint endpoint) {
        String host = endpoint.address().getHost();
        int port = endpoint.address().getPort();
        int timeout = Math.max(1, Math.min(1000, endpoint.clientConfig().getConnectionTimeoutMillis()));
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(host, port), timeout);
            raw.setSoTimeout(timeout);
            try (SSLSocket socket = (SSLSocket) endpoint.tlsSettings().context().getSocketFactory()
                    .createSocket(raw, host, port, true)) {
                socket.setSSLParameters(endpoint.tlsSettings().parameters());
                socket.startHandshake();
                socket.getInputStream().read();
                return null;
            }
        } catch (SSLException e) {
            String message = String.valueOf(e.getMessage());
            return message.contains("Received fatal alert") ? message : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Throwable deepest(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /**
     * The backplane exception for a Jedis failure while {@code doing} something: a refused login or a
     * missing permission is a {@link BackplaneConfigurationException}, anything else a
     * {@link BrokerUnavailableException}.
     */
    public static BackplaneException translate(RedisEndpoint endpoint, Throwable failure, String doing) {
        BackplaneConfigurationException handshake = handshakeFailure(endpoint, failure);
        if (handshake != null) {
            return handshake;
        }
        String where = "Redis at " + endpoint.hostAndPort();
        String reason = String.valueOf(failure.getMessage());
        String upper = reason.toUpperCase(Locale.ROOT);
        if (upper.startsWith("NOAUTH")) {
            return new BackplaneConfigurationException(where + " requires authentication (" + reason
                    + "); put the user and password in the URI: redis://user:password@host:port", failure);
        }
        if (upper.startsWith("NOPERM")) {
            return new BackplaneConfigurationException("user '" + endpoint.userName() + "' lacks a permission at "
                    + where + " while " + doing + ": " + reason
                    + "; grant what the Redis pub/sub backplane needs, e.g. ACL SETUSER " + endpoint.userName()
                    + " resetchannels &<prefix>:* -@all +publish +subscribe +unsubscribe +ping +client|setname", failure);
        }
        if (failure instanceof JedisAccessControlException || upper.startsWith("WRONGPASS")
                || (failure instanceof JedisDataException && upper.contains("AUTH"))) {
            return new BackplaneConfigurationException("authentication failed for user '" + endpoint.userName()
                    + "' at " + where + " while " + doing + ": " + reason
                    + "; check the user and password in the URI (redis://user:password@host:port)", failure);
        }
        if (isReadOnly(failure)) {
            return new BrokerUnavailableException(where + " is a replica now (the master moved) while " + doing
                    + "; not executed", failure);
        }
        if (failure instanceof JedisDataException) {
            return new BrokerUnavailableException(where + " refused the command while " + doing + ": " + reason, failure);
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = root == failure ? reason : reason + " (" + root + ")";
        return new BrokerUnavailableException("cannot reach " + where + " while " + doing + ": " + detail, failure);
    }
}
