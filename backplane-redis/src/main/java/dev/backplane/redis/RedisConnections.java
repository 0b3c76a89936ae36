package dev.backplane.redis;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.spi.Backoff;
import java.time.Duration;
import java.util.Locale;
import redis.clients.jedis.Connection;
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
        try {
            return new Connection(endpoint.address(), endpoint.clientConfig());
        } catch (JedisException e) {
            throw translate(endpoint, e, "connecting");
        }
    }

    /**
     * The backplane exception for a Jedis failure while {@code doing} something: a refused login or a
     * missing permission is a {@link BackplaneConfigurationException}, anything else a
     * {@link BrokerUnavailableException}.
     */
    public static BackplaneException translate(RedisEndpoint endpoint, Throwable failure, String doing) {
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
                    + "; grant it, e.g. ACL SETUSER " + endpoint.userName() + " +publish +subscribe +unsubscribe"
                    + " +ping &<prefix>:*", failure);
        }
        if (failure instanceof JedisAccessControlException || upper.startsWith("WRONGPASS")
                || (failure instanceof JedisDataException && upper.contains("AUTH"))) {
            return new BackplaneConfigurationException("authentication failed for user '" + endpoint.userName()
                    + "' at " + where + " while " + doing + ": " + reason
                    + "; check the user and password in the URI (redis://user:password@host:port)", failure);
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
