package dev.backplane.brokers;

import dev.backplane.fixture.LoopbackPorts;
import dev.backplane.fixture.PrivateBroker;
import dev.backplane.fixture.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A nats-server that speaks TLS only, with JetStream, in a private process on an ephemeral
 * loopback port ({@link BrokerProcess}): for tests of TLS, mutual TLS, credentials and
 * permissions. Its certificate authority is made at the first start, in the broker's directory
 * ({@link #authority()}); the server's certificate names {@code localhost} and {@code 127.0.0.1}
 * unless told otherwise. Everything else of the server's configuration (an {@code authorization}
 * block, {@code accounts}, an {@code operator} and its resolver) is given as text.
 *
 * <pre>{@code
 * try (SecureNats nats = SecureNats.builder().verifyClients(true)
 *         .configuration("authorization { users = [ {user: a, password: s} ] }").start()) {
 *     String uri = "tls://a:s@" + nats.address() + "?tlsCaFile=" + nats.authority().certificate();
 * }
 * }</pre>
 *
 * <p>It is controllable: {@link #stop()} and {@link #start()} keep the port, the certificates and
 * the JetStream store. Readiness is a TCP connect to the port (nats-server greets in clear text
 * before the TLS handshake, and listens only once it is ready).
 */
public final class SecureNats extends ForwardingBroker {

    private static final String NAME = "nats-server-tls";

    private final Builder settings;
    private final BrokerProcess process;
    private TestCertificates authority;
    private TestCertificates.Issued serverCertificate;

    private SecureNats(Builder settings) {
        this.settings = settings;
        String executable = BrokerProcess.findExecutable("nats-server").map(Object::toString).orElseThrow(() ->
                new IllegalStateException("a TLS nats-server for tests needs nats-server on the PATH "
                        + "(Debian: apt-get install nats-server)"));
        this.process = new BrokerProcess(NAME, p -> List.of(executable, "-c", configFile(p).toString()));
    }

    /** Starts describing a TLS-only nats-server. */
    public static Builder builder() {
        return new Builder();
    }

    /** How a {@link SecureNats} is set up. */
    public static final class Builder {
        private boolean verifyClients;
        private String[] serverHosts = {"localhost", "127.0.0.1"};
        private String configuration = "";

        private Builder() {
        }

        /** {@code verify: true}: every client must present a certificate the authority signed (mutual TLS). */
        public Builder verifyClients(boolean verify) {
            this.verifyClients = verify;
            return this;
        }

        /** The host names and addresses the server's certificate names; {@code localhost, 127.0.0.1} by default. */
        public Builder serverHosts(String... hosts) {
            if (hosts.length == 0) {
                throw new IllegalArgumentException("a server certificate names at least one host");
            }
            this.serverHosts = hosts.clone();
            return this;
        }

        /**
         * More of the server's configuration, written as it is after the listener, TLS and JetStream
         * settings: an {@code authorization} block, {@code accounts}, or an {@code operator} with
         * {@code resolver: MEMORY} and {@code resolver_preload}.
         */
        public Builder configuration(String text) {
            this.configuration = Objects.requireNonNull(text, "configuration");
            return this;
        }

        /** Makes the certificates, writes the configuration and starts the server. */
        public SecureNats start() {
            return new SecureNats(this);
        }
    }

    /** The authority that signed the server's certificate, and signs client certificates the server trusts. */
    public synchronized TestCertificates authority() {
        return authority;
    }

    /** The server's configuration file. */
    public Path configFile() {
        return process.directory().resolve("nats-server.conf");
    }

    /** The broker's data directory (kept across stop and start, deleted by {@link #close()}), for a test's files. */
    public Path directory() {
        return process.directory();
    }

    /**
     * What the server wrote to its log so far (every start), for a test that looks for what it
     * refused: nats-server logs each permission violation and authorization failure.
     */
    public String log() {
        // PrivateBroker keeps its log beside the data directory, named after the broker.
        Path log = process.directory().getParent().resolve(NAME + ".log");
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + log, e);
        }
    }

    private synchronized Path configFile(PrivateBroker broker) {
        if (authority == null) {
            authority = TestCertificates.authority(broker.dataDirectory().resolve("certificates"));
            serverCertificate = authority.server("nats-server", settings.serverHosts);
        }
        Path file = broker.dataDirectory().resolve("nats-server.conf");
        String text = "listen: \"" + LoopbackPorts.LOOPBACK + ":" + broker.port() + "\"\n"
                + "tls {\n"
                + "  cert_file: " + quoted(serverCertificate.certificate()) + "\n"
                + "  key_file: " + quoted(serverCertificate.key()) + "\n"
                + "  ca_file: " + quoted(authority.certificate()) + "\n"
                + "  verify: " + settings.verifyClients + "\n"
                + "  timeout: 2\n"
                + "}\n"
                + "jetstream {\n"
                + "  store_dir: " + quoted(broker.dataDirectory().resolve("jetstream")) + "\n"
                + "}\n"
                + settings.configuration + "\n";
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
        return file;
    }

    private static String quoted(Path path) {
        return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public String description() {
        return "TLS-only " + process.description();
    }

    @Override
    protected Broker delegate() {
        return process;
    }
}
