package dev.backplane.brokers.kafka;

import dev.backplane.fixture.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * How the client listener of a test Kafka broker ({@link EmbeddedKafkaBroker},
 * {@link KafkaBrokerProcess}) is secured. Immutable; each {@code with...} returns a new value.
 *
 * <pre>{@code
 * KafkaSecurity.tls(ca.server("kafka"))                  // SSL
 *         .requireClientCertificates(ca.trustStore())     // mutual TLS (ssl.client.auth=required)
 * KafkaSecurity.tls(ca.server("kafka"))
 *         .withSaslUser("alice", "alice-secret")          // SASL_SSL: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
 *         .withAuthorizer()                               // StandardAuthorizer, nothing allowed without an ACL
 * }</pre>
 *
 * <p>{@link #plaintext()} leaves the broker as it always was: one PLAINTEXT client listener. A
 * secured broker has three listeners on loopback: {@code CLIENT} (the broker's {@code port()},
 * with this security), {@code INTERNAL} (PLAINTEXT, for inter-broker traffic and for a test's
 * set-up: topics, ACLs) and {@code CONTROLLER} (PLAINTEXT). Their clients' principal is
 * {@code User:ANONYMOUS}, which is a super user when the authorizer is on: the node talks to its
 * own controller as that user. So is a TLS client without a certificate on the client listener;
 * the authorizer separates users only with SASL or client certificates.
 *
 * <p>SASL users exist for every mechanism: PLAIN through the listener's JAAS configuration, SCRAM
 * as credentials the broker creates with the Admin API as soon as it runs (they are kept in the
 * metadata log, so they survive restarts).
 */
public final class KafkaSecurity {

    /** The SASL mechanisms a SASL listener enables. */
    public static final List<String> SASL_MECHANISMS = List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512");

    static final String CLIENT_LISTENER = "CLIENT";
    static final String INTERNAL_LISTENER = "INTERNAL";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int SCRAM_ITERATIONS = 4096;
    private static final Duration USERS_READY = Duration.ofSeconds(30);

    private final TestCertificates.Issued serverKeys;
    private final Path clientTrustStore;
    private final Map<String, String> users;
    private final boolean sasl;
    private final boolean authorizer;

    private KafkaSecurity(TestCertificates.Issued serverKeys, Path clientTrustStore, Map<String, String> users,
            boolean sasl, boolean authorizer) {
        this.serverKeys = serverKeys;
        this.clientTrustStore = clientTrustStore;
        this.users = Map.copyOf(users);
        this.sasl = sasl;
        this.authorizer = authorizer;
    }

    /** No security: a PLAINTEXT client listener, as the brokers have by default. */
    public static KafkaSecurity plaintext() {
        return new KafkaSecurity(null, null, Map.of(), false, false);
    }

    /**
     * TLS on the client listener with {@code serverKeys} (its PKCS#12 key store, password
     * {@link TestCertificates#STORE_PASSWORD}); {@code SSL}, or {@code SASL_SSL} once a SASL user is added.
     */
    public static KafkaSecurity tls(TestCertificates.Issued serverKeys) {
        return new KafkaSecurity(Objects.requireNonNull(serverKeys, "serverKeys"), null, Map.of(), false, false);
    }

    /** Mutual TLS: clients must present a certificate {@code trustStore} (PKCS#12) trusts ({@code ssl.client.auth=required}). */
    public KafkaSecurity requireClientCertificates(Path trustStore) {
        if (serverKeys == null) {
            throw new IllegalStateException("client certificates need TLS: start from KafkaSecurity.tls(...)");
        }
        return new KafkaSecurity(serverKeys, Objects.requireNonNull(trustStore, "trustStore"), users, sasl, authorizer);
    }

    /**
     * SASL on the client listener ({@code SASL_SSL} with TLS, else {@code SASL_PLAINTEXT}), with
     * user {@code name} for every mechanism of {@link #SASL_MECHANISMS}. The name is letters,
     * digits, {@code _} and {@code -}; the password may hold any character.
     */
    public KafkaSecurity withSaslUser(String name, String password) {
        if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("a SASL user name here is letters, digits, '_' and '-', not " + name);
        }
        Map<String, String> more = new LinkedHashMap<>(users);
        more.put(name, Objects.requireNonNull(password, "password"));
        return new KafkaSecurity(serverKeys, clientTrustStore, more, true, authorizer);
    }

    /**
     * Kafka's {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}: a
     * client may do only what an ACL allows, except the super user {@code User:ANONYMOUS} (see the
     * class comment).
     */
    public KafkaSecurity withAuthorizer() {
        return new KafkaSecurity(serverKeys, clientTrustStore, users, sasl, true);
    }

    /** The client listener's {@code security.protocol}: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
    public String protocol() {
        return (sasl ? "SASL_" : "") + (serverKeys != null ? "SSL" : "PLAINTEXT");
    }

    /** Whether anything differs from {@link #plaintext()}. */
    public boolean secured() {
        return serverKeys != null || sasl || authorizer;
    }

    /**
     * Properties of a client of the client listener as SASL user {@code user} with {@code mechanism},
     * trusting the broker's certificate chain, without host name verification: for a test's own
     * Kafka clients, not for the client under test.
     */
    public Map<String, Object> clientProperties(String bootstrap, String user, String mechanism) {
        String password = users.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no SASL user '" + user + "' on this broker");
        }
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol());
        c.put(SaslConfigs.SASL_MECHANISM, mechanism);
        c.put(SaslConfigs.SASL_JAAS_CONFIG, loginModule(mechanism) + " required username=" + quoted(user)
                + " password=" + quoted(password) + ";");
        if (serverKeys != null) {
            c.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            c.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, serverKeys.chain().toString());
            c.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
        }
        return c;
    }

    /** The broker properties that differ from a plain broker's, for a node on {@code ports}. */
    Map<String, String> brokerProperties(KafkaPorts ports) {
        Map<String, String> p = new LinkedHashMap<>();
        if (!secured()) {
            return p;
        }
        p.put("listeners", CLIENT_LISTENER + "://" + KafkaPorts.address(ports.client()) + "," + INTERNAL_LISTENER
                + "://" + KafkaPorts.address(ports.internal()) + "," + CONTROLLER_LISTENER + "://"
                + KafkaPorts.address(ports.controller()));
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + KafkaPorts.address(ports.client()) + ","
                + INTERNAL_LISTENER + "://" + KafkaPorts.address(ports.internal()));
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":" + protocol() + "," + INTERNAL_LISTENER
                + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", INTERNAL_LISTENER);
        if (serverKeys != null) {
            p.put("ssl.keystore.type", "PKCS12");
            p.put("ssl.keystore.location", serverKeys.keyStore().toString());
            p.put("ssl.keystore.password", TestCertificates.STORE_PASSWORD);
            p.put("ssl.key.password", TestCertificates.STORE_PASSWORD);
        }
        if (clientTrustStore != null) {
            p.put("ssl.client.auth", "required");
            p.put("ssl.truststore.type", "PKCS12");
            p.put("ssl.truststore.location", clientTrustStore.toString());
            p.put("ssl.truststore.password", TestCertificates.STORE_PASSWORD);
        }
        if (sasl) {
            String listener = "listener.name." + CLIENT_LISTENER.toLowerCase(Locale.ROOT) + ".";
            p.put("sasl.enabled.mechanisms", String.join(",", SASL_MECHANISMS));
            StringBuilder plain = new StringBuilder(loginModule("PLAIN")).append(" required");
            users.forEach((name, password) -> plain.append(" user_").append(name).append('=').append(quoted(password)));
            p.put(listener + "plain.sasl.jaas.config", plain.append(';').toString());
            for (String scram : List.of("scram-sha-256", "scram-sha-512")) {
                p.put(listener + scram + ".sasl.jaas.config", loginModule(scram) + " required;");
            }
        }
        if (authorizer) {
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            p.put("allow.everyone.if.no.acl.found", "false");
            p.put("super.users", "User:ANONYMOUS");
        }
        return p;
    }

    /**
     * Creates the SCRAM credentials of the SASL users through the internal listener of a running
     * broker, and returns once each of them can log in on the client listener (or, where client
     * certificates are required, once the broker lists them).
     */
    void createScramUsers(KafkaPorts ports, String broker) {
        if (users.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + USERS_READY.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaPorts.address(ports.internal())))) {
            // One request per mechanism: a request may alter each user's credentials once.
            for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                List<UserScramCredentialAlteration> alterations = new ArrayList<>();
                users.forEach((name, password) -> alterations.add(new UserScramCredentialUpsertion(name,
                        new ScramCredentialInfo(mechanism, SCRAM_ITERATIONS), password)));
                admin.alterUserScramCredentials(alterations).all().get(USERS_READY.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (clientTrustStore == null) {
                for (String name : users.keySet()) {
                    awaitLogin(KafkaPorts.address(ports.client()), name, deadline, broker);
                }
            } else {
                while (admin.describeUserScramCredentials(List.copyOf(users.keySet())).all()
                        .get(USERS_READY.toMillis(), TimeUnit.MILLISECONDS).size() < users.size()) {
                    pauseBefore(deadline, broker);
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the SCRAM users " + users.keySet() + " on " + broker, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the SCRAM users of " + broker, e);
        }
    }

    /** Waits until {@code user} logs in with SCRAM-SHA-512: the broker applies new credentials a moment after it stored them. */
    private void awaitLogin(String bootstrap, String user, long deadline, String broker) throws InterruptedException {
        Map<String, Object> c = clientProperties(bootstrap, user, "SCRAM-SHA-512");
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        while (true) {
            try (Admin admin = Admin.create(c)) {
                admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof AuthenticationException)) {
                    throw new IllegalStateException(user + " could not log in to " + broker, e.getCause());
                }
            } catch (TimeoutException e) {
                // try again
            }
            pauseBefore(deadline, broker);
        }
    }

    private static void pauseBefore(long deadline, String broker) throws InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the SCRAM users of " + broker + " were not usable within " + USERS_READY);
        }
        Thread.sleep(50);
    }

    private static String loginModule(String mechanism) {
        return mechanism.equalsIgnoreCase("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
    }

    /** {@code value} as a JAAS quoted string: backslash, quote and line breaks escaped. */
    static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + '"';
    }

    @Override
    public String toString() {
        return protocol() + (clientTrustStore != null ? " with client certificates" : "")
                + (authorizer ? " with ACLs" : "") + (users.isEmpty() ? "" : ", users " + users.keySet());
    }
}
