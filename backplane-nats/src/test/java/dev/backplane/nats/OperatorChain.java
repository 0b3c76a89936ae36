package dev.backplane.nats;

import io.nats.client.NKey;
import io.nats.client.support.JsonSerializable;
import io.nats.client.support.JwtUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * A decentralised-auth chain made at test time with jnats' NKey and JWT utilities: an operator, an
 * account it signs (JetStream allowed, no limits) and users the account signs, written as
 * credentials files; {@link #serverConfiguration()} is what nats-server needs to trust them
 * ({@code operator}, {@code resolver: MEMORY}, {@code resolver_preload}).
 */
final class OperatorChain {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;
    private final NKey operator;
    private final NKey account;
    private final NKey system;
    private final String systemJwt;
    private final String operatorJwt;
    private final String accountJwt;

    OperatorChain(Path directory) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
            operator = NKey.createOperator(RANDOM);
            account = NKey.createAccount(RANDOM);
            system = NKey.createAccount(RANDOM);
            long now = JwtUtils.currentTimeSeconds();
            // nats-server runs JetStream in operator mode only with a system account.
            operatorJwt = JwtUtils.issueJWT(operator, key(operator), "backplane-test-operator", null, now, key(operator),
                    claim("{\"type\":\"operator\",\"version\":2,\"system_account\":\"" + key(system) + "\"}"));
            systemJwt = JwtUtils.issueJWT(operator, key(system), "SYS", null, now, key(operator),
                    claim("{\"type\":\"account\",\"version\":2}"));
            accountJwt = JwtUtils.issueJWT(operator, key(account), "backplane-test-account", null, now, key(operator),
                    claim("{\"type\":\"account\",\"version\":2,\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,"
                            + "\"imports\":-1,\"exports\":-1,\"wildcards\":true,\"conn\":-1,\"leaf\":-1,"
                            + "\"mem_storage\":-1,\"disk_storage\":-1,\"streams\":-1,\"consumer\":-1}}"));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not make an operator, account and JWTs", e);
        }
    }

    /** The server's side: trust this operator, and know its account from memory. */
    String serverConfiguration() {
        Path operatorFile = directory.resolve("operator.jwt");
        write(operatorFile, operatorJwt);
        return "operator: \"" + operatorFile + "\"\n"
                + "resolver: MEMORY\n"
                + "system_account: " + key(system) + "\n"
                + "resolver_preload: {\n  " + key(account) + ": \"" + accountJwt + "\"\n  " + key(system) + ": \""
                + systemJwt + "\"\n}\n";
    }

    /** A credentials file for a new user of the account. */
    Path user(String name) {
        return credentials(name, account);
    }

    /** A credentials file for a user signed by an account the server does not know. */
    Path userOfUnknownAccount(String name) {
        try {
            return credentials(name, NKey.createAccount(RANDOM));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path credentials(String name, NKey signer) {
        try {
            NKey user = NKey.createUser(RANDOM);
            String jwt = JwtUtils.issueUserJWT(signer, key(signer), key(user), name);
            Path file = directory.resolve(name + ".creds");
            write(file, "-----BEGIN NATS USER JWT-----\n" + jwt + "\n------END NATS USER JWT------\n\n"
                    + "-----BEGIN USER NKEY SEED-----\n" + new String(user.getSeed()) + "\n------END USER NKEY SEED------\n");
            return file;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not issue a user JWT for " + name, e);
        }
    }

    private static String key(NKey key) {
        try {
            return new String(key.getPublicKey());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonSerializable claim(String json) {
        return () -> json;
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
