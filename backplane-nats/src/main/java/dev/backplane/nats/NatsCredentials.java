package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a NATS connection proves who it is: at most one of user and password or a token (the URI's
 * user info), a user NKey ({@code nkeySeedFile}) or a credentials file with a user JWT and its seed
 * ({@code credsFile}); none for a server without authorization. Files are checked when the URI is
 * read, and jnats reads them again at every connect (a rotated credentials file is picked up on the
 * next reconnect). {@link #toString()} names the method, never a secret.
 */
final class NatsCredentials {

    /** A file holding a user NKey seed ({@code SU...}), as {@code nk -gen user} writes it. */
    static final String NKEY_SEED_FILE = "nkeySeedFile";
    /** A NATS credentials file (user JWT and NKey seed), as {@code nsc generate creds} writes it. */
    static final String CREDS_FILE = "credsFile";

    static final Set<String> OPTIONS = Set.of(NKEY_SEED_FILE, CREDS_FILE);

    private static final Pattern USER_SEED = Pattern.compile("\\bSU[A-Z2-7]{56}\\b");

    private final String user;
    private final String password;
    private final String token;
    private final Path nkeySeedFile;
    private final Path credsFile;

    private NatsCredentials(String user, String password, String token, Path nkeySeedFile, Path credsFile) {
        this.user = user;
        this.password = password;
        this.token = token;
        this.nkeySeedFile = nkeySeedFile;
        this.credsFile = credsFile;
    }

    /**
     * Reads the credentials of {@code config}.
     *
     * @throws BackplaneConfigurationException if more than one method is given, or a file cannot be
     *         read or does not hold what it should
     */
    static NatsCredentials of(BackplaneConfig config) {
        String user = null;
        String password = null;
        String token = null;
        String userInfo = config.rawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                token = decode(userInfo);
            } else {
                user = decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            }
        }
        Path seed = file(config, NKEY_SEED_FILE);
        Path creds = file(config, CREDS_FILE);
        List<String> given = new ArrayList<>();
        if (user != null) {
            given.add("user:password@");
        }
        if (token != null) {
            given.add("token@");
        }
        if (seed != null) {
            given.add(NKEY_SEED_FILE);
        }
        if (creds != null) {
            given.add(CREDS_FILE);
        }
        if (given.size() > 1) {
            throw new BackplaneConfigurationException(config.redactedUri() + " gives " + String.join(" and ", given)
                    + "; a NATS connection authenticates one way: give only one of them");
        }
        if (seed != null && !holdsUserSeed(read(config, NKEY_SEED_FILE, seed))) {
            throw invalid(config, NKEY_SEED_FILE, seed, "holds no user NKey seed (a line of 58 characters "
                    + "starting with SU, as 'nk -gen user' writes it)");
        }
        if (creds != null) {
            String text = read(config, CREDS_FILE, creds);
            if (!text.contains("BEGIN NATS USER JWT") || !holdsUserSeed(text)) {
                throw invalid(config, CREDS_FILE, creds, "is not a NATS credentials file (a 'BEGIN NATS USER JWT' "
                        + "block and a user NKey seed, as 'nsc generate creds' writes it)");
            }
        }
        return new NatsCredentials(user, password, token, seed, creds);
    }

    /** Sets the credentials on a connection's options. */
    void applyTo(Options.Builder options) {
        if (user != null) {
            options.userInfo(user, password);
        } else if (token != null) {
            options.token(token.toCharArray());
        } else if (nkeySeedFile != null) {
            options.authHandler(Nats.credentials(null, nkeySeedFile.toString()));
        } else if (credsFile != null) {
            options.authHandler(Nats.credentials(credsFile.toString()));
        }
    }

    /** What was given, for messages: "user 'u' and a password", "a token", ...; never the secret. */
    String method() {
        if (user != null) {
            return "user '" + user + "' and a password";
        }
        if (token != null) {
            return "a token";
        }
        if (nkeySeedFile != null) {
            return "the NKey of " + NKEY_SEED_FILE + "=" + nkeySeedFile;
        }
        if (credsFile != null) {
            return "the JWT and NKey of " + CREDS_FILE + "=" + credsFile;
        }
        return "no credentials";
    }

    @Override
    public String toString() {
        return "NatsCredentials[" + method() + "]";
    }

    /** Whether {@code text} holds a user NKey seed that jnats can read. */
    private static boolean holdsUserSeed(String text) {
        Matcher m = USER_SEED.matcher(text);
        if (!m.find()) {
            return false;
        }
        try {
            NKey.fromSeed(m.group().toCharArray());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Path file(BackplaneConfig config, String option) {
        String value = config.option(option, null);
        if (value == null) {
            return null;
        }
        Path file = Path.of(value);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw invalid(config, option, file, Files.exists(file) ? "cannot be read" : "does not exist");
        }
        return file;
    }

    private static String read(BackplaneConfig config, String option, Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw invalid(config, option, file, "cannot be read (" + e.getMessage() + ")");
        }
    }

    private static BackplaneConfigurationException invalid(BackplaneConfig config, String option, Path file, String why) {
        return new BackplaneConfigurationException("option '" + option + "' of " + config.redactedUri() + " names '"
                + file + "', which " + why);
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }
}
