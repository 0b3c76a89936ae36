package dev.backplane.nats;

import dev.backplane.Backplanes;
import dev.backplane.brokers.SecureNats;
import dev.backplane.fixture.TestCertificates;
import dev.backplane.spi.TlsSettings;
import dev.backplane.tck.BrokerControl;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The TLS-only nats-server a kit subclass runs against, and how the kit connects to it: over TLS to
 * {@code localhost} (host name checked), with a client certificate if the server verifies clients,
 * as the one user of the server's {@code authorization} block, {@code kit}.
 *
 * <p>That user has {@link LeastPrivilege}'s permissions with the prefix (and stream) written
 * {@code *}, because the kit gives every test a prefix of its own ({@code tck-<random>}) and NATS
 * wildcards match whole tokens only. {@code *.>} then also matches subjects outside any prefix
 * (the JetStream API among them), so what no backplane needs is denied outright: the system
 * account's subjects, and the JetStream API that removes, changes or lists streams and consumers or
 * reads the account. The narrow per-prefix permissions are proved by {@link NatsPermissionsTest}.
 */
final class SecureKitServer implements AutoCloseable {

    private static final String USER = "kit";
    private static final String PASSWORD = "kit-secret";
    private static final List<String> PUBLISH_DENIED = List.of("$SYS.>", "$JS.API.STREAM.DELETE.>",
            "$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.UPDATE.>", "$JS.API.STREAM.MSG.DELETE.>", "$JS.API.STREAM.LIST",
            "$JS.API.STREAM.NAMES", "$JS.API.CONSUMER.LIST.>", "$JS.API.CONSUMER.NAMES.>", "$JS.API.CONSUMER.DURABLE.>",
            "$JS.API.ACCOUNT.>", "$JS.API.META.>", "$JS.API.SERVER.>", "$JS.API.INFO");

    private final SecureNats nats;
    private final String scheme;
    private final Map<String, String> options = new HashMap<>();

    /**
     * Starts the server and connects once, with a connect timeout long enough for a cold JVM: its
     * first TLS handshake initialises the JDK's TLS and certificate code, seconds on a loaded
     * machine, and the kit's connect timeouts are there to time the transport.
     *
     * @param scheme {@code tls} or {@code jetstreams}
     * @param verifyClients whether the server wants a client certificate (mutual TLS)
     */
    SecureKitServer(String scheme, boolean verifyClients) {
        this.scheme = scheme;
        this.nats = SecureNats.builder().verifyClients(verifyClients).configuration("authorization { users = [\n  "
                + LeastPrivilege.user(USER, PASSWORD, LeastPrivilege.publish("*"), PUBLISH_DENIED,
                        LeastPrivilege.subscribe("*"), List.of("$SYS.>")) + "\n] }").start();
        options.put(TlsSettings.CA_FILE, nats.authority().certificate().toString());
        if (verifyClients) {
            TestCertificates.Issued client = nats.authority().client("kit-client");
            options.put(TlsSettings.KEY_STORE, client.keyStore().toString());
            options.put(TlsSettings.KEY_STORE_PASSWORD, TestCertificates.STORE_PASSWORD);
        }
        Map<String, String> warmUp = new HashMap<>(options);
        warmUp.put("connectTimeout", "30s");
        warmUp.put("prefix", "tck-warm-up");
        Backplanes.open(URI.create(uri()), warmUp).close();
    }

    String uri() {
        return scheme + "://" + USER + ":" + PASSWORD + "@localhost:" + nats.port();
    }

    /** The TLS options. */
    Map<String, String> options() {
        return Map.copyOf(options);
    }

    BrokerControl control() {
        return BrokerControl.of(nats::stop, nats::start);
    }

    Optional<InetSocketAddress> address() {
        return Optional.of(new InetSocketAddress(nats.host(), nats.port()));
    }

    @Override
    public void close() {
        nats.close();
    }
}
