package dev.backplane.nats;

import dev.backplane.brokers.LeaveOutByDefault;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Core NATS against the whole transport kit over TLS ({@code tls://}, host name checked) as a
 * user with only the permissions {@link SecureKitServer} gives, on a TLS-only nats-server this
 * class starts and stops for the outage and restart rules.
 */
@LeaveOutByDefault(value = {"t26_", "t28_", "t44_", "t47_", "t51_", "t52_"},
        because = LeaveOutByDefault.SAME_TIMERS_OVER_TLS)
class SecureNatsBackplaneTckTest extends SecureKit {

    private static SecureKitServer server;

    @BeforeAll
    static void startServer() {
        server = new SecureKitServer("tls", false);
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
        return Optional.of(Map.of("maxSubscriberBacklog", Integer.toString(messages)));
    }
}
