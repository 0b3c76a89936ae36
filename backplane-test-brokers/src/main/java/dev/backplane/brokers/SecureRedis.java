package dev.backplane.brokers;

import dev.backplane.fixture.LoopbackPorts;
import dev.backplane.fixture.PrivateBroker;
import dev.backplane.fixture.Readiness;
import dev.backplane.fixture.TestCertificates;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A private {@code redis-server} (7 or later, built with TLS as Debian's is) that listens on TLS
 * only, with certificates made at test time ({@link TestCertificates}: one authority and one
 * client certificate for the JVM, one server certificate per set of host names, deleted when the
 * JVM exits), and Redis ACL users given on its command line, so that they are the same after
 * every {@link #stop()} and {@link #start()}:
 *
 * <pre>{@code
 * SecureRedis redis = SecureRedis.tls().clientAuth("yes")
 *         .user("tenant-a", "pw-a", "resetchannels", "&a:*", "-@all", "+publish", "+subscribe")
 *         .start();
 * Backplanes.open(URI.create(redis.uri("rediss", "tenant-a", "pw-a")), redis.clientTlsOptions());
 * }</pre>
 *
 * <p>Like {@link Brokers#redis()} it keeps an append-only file in its data directory, so a stop and
 * start keeps what it had accepted, and it is {@linkplain #controllable() controllable}: stopped,
 * started on the same port, killed, paused. Unlike it, it never comes from the environment or a
 * container: the TLS files are made here and handed to the process, so {@code redis-server} must
 * be installed ({@code apt-get install redis-server}).
 *
 * <p>Users: {@code default} is off (a client that does not log in is refused with {@code NOAUTH})
 * unless {@link Builder#defaultUserPassword} gives it a password; {@value #ADMIN} has every right,
 * with {@link #adminPassword()}, for tests that look behind the backplane (ACL LOG, CLIENT LIST);
 * every {@link Builder#user} has exactly the rules given. Readiness: the server logged that it
 * accepts connections and a TLS handshake with the {@linkplain #clientContext() client's context}
 * completes (on a plain port, a TCP connection is accepted).
 */
public final class SecureRedis extends ForwardingBroker {

    /** The user with every right. */
    public static final String ADMIN = "admin";

    /** The TLS options of the backplanes, as {@code dev.backplane.spi.TlsSettings} reads them. */
    public static final String CA_FILE = "tlsCaFile";
    public static final String CERT_FILE = "tlsCertFile";
    public static final String KEY_FILE = "tlsKeyFile";
    public static final String KEY_STORE = "tlsKeyStore";
    public static final String KEY_STORE_PASSWORD = "tlsKeyStorePassword";
    public static final String TRUST_STORE = "tlsTrustStore";
    public static final String TRUST_STORE_PASSWORD = "tlsTrustStorePassword";
    public static final String VERIFY_HOSTNAME = "tlsVerifyHostname";

    private final Builder settings;
    private final String adminPassword = "admin-" + UUID.randomUUID();
    private final BrokerProcess process;
    private volatile TestCertificates authority;
    private volatile TestCertificates.Issued server;
    private volatile TestCertificates.Issued client;
    private volatile SSLContext clientContext;

    private SecureRedis(Builder settings) {
        this.settings = settings;
        this.process = new BrokerProcess(settings.tls ? "redis-server-tls" : "redis-server-acl", this::ready,
                this::command);
    }

    /** A server that listens on TLS only ({@code --port 0 --tls-port P}). */
    public static Builder tls() {
        return new Builder(true);
    }

    /** A server on plain TCP, with the same ACL users: for tests of credentials alone. */
    public static Builder plain() {
        return new Builder(false);
    }

    /** How a {@link SecureRedis} is run. */
    public static final class Builder {
        private final boolean tls;
        private String clientAuth = "no";
        private String[] serverHosts = {"localhost", LoopbackPorts.LOOPBACK};
        private final Map<String, List<String>> users = new LinkedHashMap<>();
        private String defaultPassword;
        private String appendfsync = "everysec";

        private Builder(boolean tls) {
            this.tls = tls;
        }

        /**
         * Redis's {@code tls-auth-clients}: {@code "no"} (the default: no client certificate asked
         * for), {@code "yes"} (mutual TLS: a client without a certificate the authority signed is
         * refused) or {@code "optional"} (one is checked if given).
         */
        public Builder clientAuth(String mode) {
            if (!List.of("no", "yes", "optional").contains(mode)) {
                throw new IllegalArgumentException("tls-auth-clients is yes, no or optional, not '" + mode + "'");
            }
            requireTls("client certificates");
            this.clientAuth = mode;
            return this;
        }

        /**
         * The host names and addresses the server's certificate names; {@code localhost} and
         * {@code 127.0.0.1} by default. Another name alone makes a server whose certificate does
         * not match the host clients connect to.
         */
        public Builder serverCertificateFor(String... hosts) {
            requireTls("a server certificate");
            if (hosts.length == 0) {
                throw new IllegalArgumentException("a server certificate names at least one host");
            }
            this.serverHosts = hosts.clone();
            return this;
        }

        /**
         * An ACL user, on, with {@code password} and exactly {@code rules} (Redis ACL rules such as
         * {@code "~a:*"}, {@code "&a:*"}, {@code "-@all"}, {@code "+publish"}); a new user starts
         * with no command, key or channel.
         */
        public Builder user(String name, String password, String... rules) {
            if (name == null || !name.matches("[A-Za-z0-9._-]+") || name.equals(ADMIN) || name.equals("default")) {
                throw new IllegalArgumentException("a user name is letters, digits, '.', '_' or '-', and not "
                        + ADMIN + " or default; was " + name);
            }
            Objects.requireNonNull(password, "password");
            List<String> line = new ArrayList<>(List.of(name, "on", ">" + password));
            line.addAll(List.of(rules));
            users.put(name, line);
            return this;
        }

        /** Turns the {@code default} user on with this password and every right ({@code redis://:password@...}). */
        public Builder defaultUserPassword(String password) {
            this.defaultPassword = Objects.requireNonNull(password, "password");
            return this;
        }

        /** Redis's {@code appendfsync}: {@code everysec} (the default), {@code always} or {@code no}. */
        public Builder appendfsync(String policy) {
            if (!List.of("everysec", "always", "no").contains(policy)) {
                throw new IllegalArgumentException("appendfsync is everysec, always or no, not '" + policy + "'");
            }
            this.appendfsync = policy;
            return this;
        }

        /** Makes the certificates, starts the server and returns once it is ready. */
        public SecureRedis start() {
            return new SecureRedis(this);
        }

        private void requireTls(String what) {
            if (!tls) {
                throw new IllegalStateException(what + " needs a TLS server: SecureRedis.tls()");
            }
        }
    }

    // ---------------------------------------------------------------- for clients

    /** Whether the server listens on TLS (only). */
    public boolean tlsEnabled() {
        return settings.tls;
    }

    /** Its {@code tls-auth-clients}: {@code no}, {@code yes} or {@code optional}. */
    public String clientAuth() {
        return settings.clientAuth;
    }

    /** The authority that signed the server's and the client's certificates. */
    public TestCertificates authority() {
        return requireTls(authority);
    }

    /** The server's certificate and key. */
    public TestCertificates.Issued serverCertificate() {
        return requireTls(server);
    }

    /** A client certificate the authority signed (common name {@code backplane-client}), for mutual TLS. */
    public TestCertificates.Issued clientCertificate() {
        return requireTls(client);
    }

    /** A TLS context that trusts the authority and presents the client certificate: for a test's own connections. */
    public SSLContext clientContext() {
        return requireTls(clientContext);
    }

    /** {@code tlsCaFile}: the options that make a backplane trust this server, no client certificate. */
    public Map<String, String> trustOptions() {
        return Map.of(CA_FILE, authority().certificate().toString());
    }

    /** {@code tlsCaFile}, {@code tlsCertFile} and {@code tlsKeyFile}: trust, and the client certificate for mutual TLS. */
    public Map<String, String> mutualTlsOptions() {
        return Map.of(CA_FILE, authority().certificate().toString(), CERT_FILE, clientCertificate().chain().toString(),
                KEY_FILE, clientCertificate().key().toString());
    }

    /** What a backplane needs to connect: {@link #mutualTlsOptions()} where client certificates are asked for, else {@link #trustOptions()}; none on plain TCP. */
    public Map<String, String> clientTlsOptions() {
        if (!settings.tls) {
            return Map.of();
        }
        return settings.clientAuth.equals("no") ? trustOptions() : mutualTlsOptions();
    }

    /** The password of {@value #ADMIN}. */
    public String adminPassword() {
        return adminPassword;
    }

    /**
     * The version of the installed {@code redis-server}, e.g. {@code [7, 0, 15]}: ACL rules name
     * commands that only some versions have ({@code client|setinfo} is 7.2's).
     */
    public static int[] serverVersion() {
        String executable = BrokerProcess.findExecutable("redis-server").map(Object::toString).orElseThrow(() ->
                new IllegalStateException("no redis-server installed"));
        try {
            Process p = new ProcessBuilder(executable, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("v=(\\d+)\\.(\\d+)\\.(\\d+)").matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("redis-server --version said no version: " + out);
            }
            return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether the installed {@code redis-server} is at least {@code major.minor}. */
    public static boolean serverAtLeast(int major, int minor) {
        int[] v = serverVersion();
        return v[0] > major || (v[0] == major && v[1] >= minor);
    }

    /** {@code scheme://host:port}, no credentials. */
    public String uri(String scheme) {
        return scheme + "://" + address();
    }

    /** {@code scheme://user:password@host:port}, both percent-encoded; a null user is Redis's {@code default}. */
    public String uri(String scheme, String user, String password) {
        String credentials = (user == null ? "" : encode(user)) + ":" + encode(password);
        return scheme + "://" + credentials + "@" + address();
    }

    // ---------------------------------------------------------------- Broker

    @Override
    public String description() {
        return (settings.tls ? "TLS-only Redis (client certificates: " + settings.clientAuth + ")" : "Redis with ACL users")
                + ", " + process.description();
    }

    @Override
    protected Broker delegate() {
        return process;
    }

    // ---------------------------------------------------------------- the process

    /** The command line, making the certificates in the broker's directory at the first start. */
    private List<String> command(PrivateBroker broker) {
        String executable = BrokerProcess.findExecutable("redis-server").map(Object::toString).orElseThrow(() ->
                new IllegalStateException("no redis-server for the TLS and ACL tests: install redis-server 7 "
                        + "(apt-get install -y redis-server, or run .ci/install-brokers)"));
        if (settings.tls && authority == null) {
            Certificates shared = Certificates.get();
            server = shared.server(settings.serverHosts);
            client = shared.client;
            clientContext = shared.clientContext;
            authority = shared.authority;
        }
        List<String> command = new ArrayList<>(List.of(executable, "--bind", LoopbackPorts.LOOPBACK,
                "--save", "", "--appendonly", "yes", "--appendfsync", settings.appendfsync,
                "--dir", broker.dataDirectory().toString()));
        if (settings.tls) {
            command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(broker.port()),
                    "--tls-cert-file", server.certificate().toString(), "--tls-key-file", server.key().toString(),
                    "--tls-ca-cert-file", authority.certificate().toString(),
                    "--tls-auth-clients", settings.clientAuth));
        } else {
            command.addAll(List.of("--port", Integer.toString(broker.port())));
        }
        command.add("--user");
        if (settings.defaultPassword == null) {
            command.addAll(List.of("default", "off", "resetkeys", "resetchannels", "-@all"));
        } else {
            command.addAll(List.of("default", "on", ">" + settings.defaultPassword, "~*", "&*", "+@all"));
        }
        command.addAll(List.of("--user", ADMIN, "on", ">" + adminPassword, "~*", "&*", "+@all"));
        for (List<String> user : settings.users.values()) {
            command.add("--user");
            command.addAll(user);
        }
        return command;
    }

    /**
     * One authority, client certificate and server certificate per list of host names for the
     * whole JVM (RSA keys take a second or more each on a busy machine), in a directory deleted
     * when the JVM exits.
     */
    static final class Certificates {
        private static Certificates instance;

        final TestCertificates authority;
        final TestCertificates.Issued client;
        final SSLContext clientContext;
        private final Map<List<String>, TestCertificates.Issued> servers = new java.util.HashMap<>();

        private Certificates(java.nio.file.Path directory) {
            this.authority = TestCertificates.authority(directory);
            this.client = authority.client("backplane-client");
            this.clientContext = authority.context(client);
        }

        static synchronized Certificates get() {
            if (instance == null) {
                java.nio.file.Path directory;
                try {
                    directory = java.nio.file.Files.createTempDirectory("backplane-secure-redis-tls-");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("could not create a directory for the TLS files", e);
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(directory), "secure-redis-tls-cleanup"));
                instance = new Certificates(directory);
            }
            return instance;
        }

        synchronized TestCertificates.Issued server(String[] hosts) {
            return servers.computeIfAbsent(List.of(hosts), h -> authority.server("redis-server-" + servers.size(), hosts));
        }

        private static void delete(java.nio.file.Path directory) {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
                // a leftover temporary directory is harmless
            }
        }
    }

    private boolean ready(PrivateBroker broker) throws Exception {
        if (!broker.logSinceStart().contains("Ready to accept connections")) {
            return false;
        }
        if (!settings.tls) {
            return LoopbackPorts.accepting(broker.port());
        }
        try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket(broker.host(),
                broker.port())) {
            socket.setSoTimeout(1000);
            socket.startHandshake();
            return true;
        }
    }

    private <T> T requireTls(T value) {
        if (!settings.tls) {
            throw new IllegalStateException(description() + " has no TLS");
        }
        return value;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
