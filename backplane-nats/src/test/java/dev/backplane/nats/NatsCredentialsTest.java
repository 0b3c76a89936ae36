package dev.backplane.nats;

import static dev.backplane.nats.SecureChecks.assertRoundTrip;
import static dev.backplane.nats.SecureChecks.openFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.brokers.SecureNats;
import dev.backplane.spi.TlsSettings;
import io.nats.client.NKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way of authenticating to NATS, over TLS: user and password, token, NKey seed file and a
 * credentials file (user JWT of an operator's account). Each works; a wrong secret fails within the
 * connect timeout with the server's "Authorization Violation", never a retry loop, never the secret.
 */
class NatsCredentialsTest {

    private static final String PASSWORD = "pa55-word-secret";
    private static final String TOKEN = "t0ken-secret";

    @TempDir
    static Path files;
    private static NKey nkeyUser;
    private static SecureNats users;
    private static SecureNats token;
    private static SecureNats operator;
    private static OperatorChain chain;
    private final Opened opened = new Opened();

    @BeforeAll
    static void startServers() throws IOException, GeneralSecurityException {
        nkeyUser = NKey.createUser(new SecureRandom());
        users = SecureNats.builder().configuration("authorization { users = [\n"
                + "  { user: alice, password: \"" + PASSWORD + "\" }\n"
                + "  { nkey: " + new String(nkeyUser.getPublicKey()) + " }\n"
                + "] }").start();
        token = SecureNats.builder().configuration("authorization { token: \"" + TOKEN + "\" }").start();
        chain = new OperatorChain(files.resolve("operator"));
        operator = SecureNats.builder().configuration(chain.serverConfiguration()).start();
    }

    @AfterAll
    static void stopServers() {
        for (SecureNats s : new SecureNats[] {users, token, operator}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @AfterEach
    void closeBackplanes() {
        opened.close();
    }

    private static Map<String, String> tls(SecureNats nats, String... pairs) {
        Map<String, String> options = new HashMap<>(Map.of(TlsSettings.CA_FILE, nats.authority().certificate().toString(),
                "connectTimeout", SecureChecks.CONNECT_TIMEOUT.toMillis() + "ms"));
        for (int i = 0; i < pairs.length; i += 2) {
            options.put(pairs[i], pairs[i + 1]);
        }
        return options;
    }

    private static Path seedFile(NKey key) throws IOException {
        Path file = Files.createTempFile(files, "user-", ".nk");
        Files.writeString(file, new String(key.getSeed()) + "\n");
        return file;
    }

    private static void assertAuthorizationFailure(Throwable failure, String secret) {
        assertThat(failure).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("Authorization Violation");
        if (secret != null) {
            assertThat(failure.getMessage()).doesNotContain(secret);
        }
    }

    @Test
    void userAndPasswordWorkOnBothTransports() {
        assertRoundTrip(opened, "tls://alice:" + PASSWORD + "@" + users.address(), tls(users));
        assertRoundTrip(opened, "jetstreams://alice:" + PASSWORD + "@" + users.address(), tls(users));
    }

    @Test
    void aWrongPasswordFailsWithinTheConnectTimeoutAsAnAuthorizationViolation() {
        for (String scheme : new String[] {"tls", "jetstreams"}) {
            Throwable failure = openFailure(opened, scheme + "://alice:wrong-secret@" + users.address(), tls(users));
            assertAuthorizationFailure(failure, "wrong-secret");
            assertThat(failure).hasMessageContaining("user 'alice' and a password");
        }
        assertAuthorizationFailure(openFailure(opened, "tls://" + users.address(), tls(users)), null);
    }

    @Test
    void aTokenWorks() {
        assertRoundTrip(opened, "tls://" + TOKEN + "@" + token.address(), tls(token));
    }

    @Test
    void aWrongTokenFailsWithinTheConnectTimeoutAsAnAuthorizationViolation() {
        assertAuthorizationFailure(openFailure(opened, "tls://not-the-" + TOKEN + "@" + token.address(), tls(token)),
                "not-the-" + TOKEN);
    }

    @Test
    void anNKeySeedFileWorksOnBothTransports() throws IOException {
        String seed = seedFile(nkeyUser).toString();
        assertRoundTrip(opened, "tls://" + users.address(), tls(users, NatsCredentials.NKEY_SEED_FILE, seed));
        assertRoundTrip(opened, "jetstreams://" + users.address(), tls(users, NatsCredentials.NKEY_SEED_FILE, seed));
    }

    @Test
    void anNKeyTheServerDoesNotKnowFailsAsAnAuthorizationViolation() throws Exception {
        String seed = seedFile(NKey.createUser(new SecureRandom())).toString();
        assertAuthorizationFailure(openFailure(opened, "tls://" + users.address(),
                tls(users, NatsCredentials.NKEY_SEED_FILE, seed)), null);
    }

    @Test
    void aCredentialsFileOfTheOperatorsAccountWorksOnBothTransports() {
        String creds = chain.user("backplane").toString();
        assertRoundTrip(opened, "tls://" + operator.address(), tls(operator, NatsCredentials.CREDS_FILE, creds));
        assertRoundTrip(opened, "jetstreams://" + operator.address(), tls(operator, NatsCredentials.CREDS_FILE, creds));
    }

    @Test
    void aCredentialsFileOfAnUnknownAccountFailsAsAnAuthorizationViolation() {
        String creds = chain.userOfUnknownAccount("stranger").toString();
        assertAuthorizationFailure(openFailure(opened, "tls://" + operator.address(),
                tls(operator, NatsCredentials.CREDS_FILE, creds)), null);
    }

    @Test
    void credentialOptionsThatCannotWorkAreRefusedAtTheCall() throws IOException {
        Path notASeed = Files.writeString(files.resolve("not-a-seed.nk"), "hello\n");
        Path seed = seedFile(nkeyUser);
        String base = "tls://" + users.address();
        assertThatThrownBy(() -> opened.open(base, tls(users, NatsCredentials.NKEY_SEED_FILE, files.resolve("none").toString())))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> opened.open(base, tls(users, NatsCredentials.NKEY_SEED_FILE, notASeed.toString())))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("holds no user NKey seed");
        assertThatThrownBy(() -> opened.open(base, tls(users, NatsCredentials.CREDS_FILE, seed.toString())))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("is not a NATS credentials file");
        assertThatThrownBy(() -> opened.open("tls://alice:" + PASSWORD + "@" + users.address(),
                tls(users, NatsCredentials.NKEY_SEED_FILE, seed.toString())))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("authenticates one way")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
    }
}
