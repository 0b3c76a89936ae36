package dev.backplane.nats;

import dev.backplane.brokers.LeaveOutByDefault;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * JetStream against the whole transport kit over mutual TLS ({@code jetstreams://}, host name
 * checked, a client certificate from a key store) as a user with only the permissions
 * {@link SecureKitServer} gives, on a TLS-only nats-server that verifies clients, which this
 * class starts and stops for the outage and restart rules (its JetStream store survives them).
 */
@LeaveOutByDefault(value = {"t26_", "t28_", "t44_", "t47_", "t51_", "t52_"},
        because = LeaveOutByDefault.SAME_TIMERS_OVER_TLS)
class SecureJetStreamBackplaneTckTest extends SecureKit {

    private static SecureKitServer server;

    @BeforeAll
    static void startServer() {
        server = new SecureKitServer("jetstreams", true);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    SecureKitServer server() {
        return server;
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return Optional.of(Map.of("maxMsgsPerSubject", Integer.toString(messages)));
    }
}
