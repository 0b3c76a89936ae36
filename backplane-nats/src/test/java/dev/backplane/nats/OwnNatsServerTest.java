package dev.backplane.nats;

import dev.backplane.tck.AsyncFailures;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the tests that need a nats-server of their own ({@link NatsServerProcess}: frozen,
 * killed, monitored), one per class: the backplanes a test opened (closed after it), subscriber
 * failures (rethrown after it), and a server running and answering again after every test.
 */
abstract class OwnNatsServerTest {

    static NatsServerProcess server;
    final Opened opened = new Opened();
    final AsyncFailures failures = new AsyncFailures();

    @BeforeAll
    static void startServer() {
        server = new NatsServerProcess();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void closeBackplanes() {
        server.thaw();
        server.start();
        opened.close();
        failures.rethrow();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
