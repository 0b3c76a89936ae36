package dev.backplane.redis.streams;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.redis.RedisConnections;
import dev.backplane.redis.RedisEndpoint;
import java.net.UnknownHostException;
import java.time.Duration;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Turns what Jedis throws into the backplane's exceptions, with messages that name the server, the
 * user, the command and the fix.
 */
final class RedisFailures {

    /** The commands a Redis user needs on the prefix's keys ({@code ~prefix:*}), as an ACL rule. */
    static final String REQUIRED_COMMANDS = "+xadd +xread +xrevrange +xinfo|stream +get +set +del +ping";

    private final RedisEndpoint endpoint;
    private final String address;
    private final String user;
    private final String keyPattern;
    private final Duration connectTimeout;

    /** @param keyPattern the ACL key pattern of the prefix's keys, e.g. {@code app:*} */
    RedisFailures(RedisEndpoint endpoint, String keyPattern, Duration connectTimeout) {
        this.endpoint = endpoint;
        this.address = endpoint.hostAndPort();
        this.user = endpoint.userName();
        this.keyPattern = keyPattern;
        this.connectTimeout = connectTimeout;
    }

    String address() {
        return address;
    }

    /**
     * What {@code failure} means for {@code command} on {@code key}.
     *
     * @param command what was being done, e.g. {@code "XADD"}
     * @param key the key it was done on, or null
     */
    BackplaneException translate(RuntimeException failure, String command, String key) {
        if (failure instanceof BackplaneException known) {
            return known;
        }
        BackplaneConfigurationException tls = RedisConnections.handshakeFailure(endpoint, failure);
        if (tls != null) {
            return tls;
        }
        String reply = redisError(failure);
        String on = key == null ? "" : " on key '" + key + "'";
        if (reply != null && reply.startsWith("NOPERM")) {
            return new BackplaneConfigurationException("Redis user '" + user + "' at " + address
                    + " has no permission for " + command + on + " (Redis said: " + reply + "); grant what the "
                    + "redis-streams backplane needs, e.g. ACL SETUSER " + user + " resetchannels ~" + keyPattern + " -@all "
                    + REQUIRED_COMMANDS + " +client|setname", failure);
        }
        if (reply != null && reply.startsWith("NOAUTH")) {
            return new BackplaneConfigurationException("Redis at " + address + " requires authentication (Redis said: "
                    + reply + "); put the user and password in the URI, e.g. redis-streams://user:password@host:port",
                    failure);
        }
        if (reply != null && reply.startsWith("WRONGPASS")) {
            return new BackplaneConfigurationException("authentication failed for user '" + user + "' at Redis at "
                    + address + " (Redis said: " + reply + "); put the right user and password in the URI, "
                    + "e.g. redis-streams://user:password@host:port", failure);
        }
        if (isMasterMoved(failure)) {
            return new BrokerUnavailableException("the server behind " + address + " no longer serves the prefix's "
                    + "keys (it is a replica now, or the cluster moved the slot) and did not execute " + command + on,
                    failure);
        }
        if (isTryAgain(failure)) {
            return new BrokerUnavailableException("Redis at " + address + " is not ready for " + command + on
                    + " (Redis said: " + reply + "); it did not execute it", failure);
        }
        if (isConnectionFailure(failure)) {
            String hint = hasCause(failure, UnknownHostException.class)
                    ? "the host name is unknown; check the host in the URI"
                    : "check the host and port in the URI and that Redis is running";
            return new BrokerUnavailableException("Redis at " + address + " is unreachable during " + command + on
                    + " (connect timeout " + connectTimeout.toMillis() + " ms): " + failure.getMessage() + "; " + hint,
                    failure);
        }
        return new BackplaneException("Redis at " + address + " refused " + command + on + ": "
                + (reply != null ? reply : String.valueOf(failure)), failure);
    }

    /** Whether the failure is the connection's, not the command's: worth a reconnect. */
    static boolean isConnectionFailure(Throwable failure) {
        return hasCause(failure, JedisConnectionException.class) && redisError(failure) == null;
    }

    /**
     * Whether Redis refused without executing the command and asks to try again later: it is
     * still loading its data after a restart, busy with a script, or (on a cluster) moving the
     * prefix's slot to another master ({@code ASK}, {@code TRYAGAIN}): the slot's owner answers
     * for all of it once the move ends.
     */
    static boolean isTryAgain(Throwable failure) {
        String reply = redisError(failure);
        return reply != null && (reply.startsWith("LOADING") || reply.startsWith("BUSY") || reply.startsWith("ASK ")
                || reply.startsWith("TRYAGAIN"));
    }

    /**
     * Whether the server no longer serves the prefix's keys and did not execute the command: a write
     * reached a replica ({@code READONLY}: behind Sentinel, the master moved); on a cluster, the slot
     * belongs to another master now ({@code MOVED}, after a failover or a resharding), the server is
     * cut off from the cluster's majority ({@code CLUSTERDOWN}), or a blocked read was ended because
     * the server became a replica ({@code UNBLOCKED}). The command goes again once the slot's master
     * is found anew.
     */
    static boolean isMasterMoved(Throwable failure) {
        if (RedisConnections.isReadOnly(failure)) {
            return true;
        }
        String reply = redisError(failure);
        return reply != null && (reply.startsWith("MOVED ") || reply.startsWith("CLUSTERDOWN")
                || reply.startsWith("UNBLOCKED"));
    }

    /** Whether Redis refused for want of permission. */
    static boolean isPermissionFailure(Throwable failure) {
        String reply = redisError(failure);
        return reply != null && reply.startsWith("NOPERM");
    }

    /** The error reply from Redis somewhere in the cause chain, if any (they are all upper-case codes first). */
    private static String redisError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.startsWith("NOPERM") || message.startsWith("WRONGPASS")
                    || message.startsWith("NOAUTH") || message.startsWith("ERR") || message.startsWith("WRONGTYPE")
                    || message.startsWith("LOADING") || message.startsWith("BUSY") || message.startsWith("MOVED ")
                    || message.startsWith("ASK ") || message.startsWith("TRYAGAIN")
                    || message.startsWith("CLUSTERDOWN") || message.startsWith("UNBLOCKED"))) {
                return message;
            }
        }
        return null;
    }

    static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
