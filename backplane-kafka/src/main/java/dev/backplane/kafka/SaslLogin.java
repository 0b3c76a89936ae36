package dev.backplane.kafka;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The SASL user a Kafka backplane logs in as, from the URI's user info
 * ({@code kafkas://user:password@host:port[,host2:port2]}, percent-encoded) or from the options
 * {@code saslUser} and {@code saslPassword}, with mechanism {@code saslMechanism}. Its
 * {@link #toString()} never shows the password.
 */
final class SaslLogin {

    static final String MECHANISM = "saslMechanism";
    static final String USER = "saslUser";
    static final String PASSWORD = "saslPassword";

    /** The mechanisms the backplane logs in with; the first one is the default. */
    static final List<String> MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");

    private final String mechanism;
    private final String user;
    private final String password;

    private SaslLogin(String mechanism, String user, String password) {
        this.mechanism = mechanism;
        this.user = user;
        this.password = password;
    }

    /**
     * The login {@code config} asks for, or empty when it gives no credentials.
     *
     * @throws BackplaneConfigurationException for credentials given twice or by halves, or an
     *     unknown mechanism
     */
    static Optional<SaslLogin> of(BackplaneConfig config) {
        String uri = config.redactedUri();
        String rawUserInfo = config.rawUserInfo();
        String user = config.option(USER, null);
        String password = config.option(PASSWORD, null);
        if (rawUserInfo != null) {
            if (user != null || password != null) {
                throw new BackplaneConfigurationException("the Kafka URI " + uri + " gives credentials both in its "
                        + "user info and as option " + (user != null ? USER : PASSWORD) + "; give them one way");
            }
            int colon = rawUserInfo.indexOf(':');
            if (colon < 0) {
                throw new BackplaneConfigurationException("the user info of " + uri + " has no password; write "
                        + "kafkas://user:password@host:port (percent-encoded), or use options " + USER + " and " + PASSWORD);
            }
            user = decode(rawUserInfo.substring(0, colon));
            password = decode(rawUserInfo.substring(colon + 1));
        } else if ((user == null) != (password == null)) {
            throw new BackplaneConfigurationException("option " + (user == null ? PASSWORD : USER) + " of " + uri
                    + " needs option " + (user == null ? USER : PASSWORD) + " too: a SASL login is a user and a password");
        }
        String mechanism = config.option(MECHANISM, null);
        if (user == null) {
            if (mechanism != null) {
                throw new BackplaneConfigurationException("option " + MECHANISM + " of " + uri + " needs credentials: "
                        + "kafkas://user:password@host:port, or options " + USER + " and " + PASSWORD);
            }
            return Optional.empty();
        }
        if (user.isEmpty() || password.isEmpty()) {
            throw new BackplaneConfigurationException("the SASL " + (user.isEmpty() ? "user" : "password") + " in "
                    + uri + " is empty");
        }
        String chosen = mechanism == null ? MECHANISMS.get(0) : mechanism.trim().toUpperCase(Locale.ROOT);
        if (!MECHANISMS.contains(chosen)) {
            throw new BackplaneConfigurationException("option " + MECHANISM + " has value '" + mechanism + "' in " + uri
                    + "; expected one of " + MECHANISMS);
        }
        return Optional.of(new SaslLogin(chosen, user, password));
    }

    /** {@code sasl.mechanism}. */
    String mechanism() {
        return mechanism;
    }

    /** The user name (not a secret: messages name it). */
    String user() {
        return user;
    }

    /** {@code sasl.jaas.config}: the mechanism's login module with the user and password quoted. */
    String jaasConfig() {
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=" + quoted(user) + " password=" + quoted(password) + ";";
    }

    /**
     * {@code value} as a quoted string of a JAAS configuration, which Kafka reads with
     * {@link java.io.StreamTokenizer}: a backslash and a quote are escaped with a backslash, and
     * line breaks (which would end the string) written as {@code \n} and {@code \r}.
     */
    static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + '"';
    }

    /** Percent-decoding of a user info part ('+' stays itself, as in a URI). */
    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "SASL user '" + user + "' (" + mechanism + ")";
    }
}
