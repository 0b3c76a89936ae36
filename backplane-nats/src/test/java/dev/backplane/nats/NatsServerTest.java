package dev.backplane.nats;

import static dev.backplane.nats.Opened.await;

import dev.backplane.Backplane;
import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.Recorder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the tests that run against one real nats-server per class: the server, the backplanes
 * a test opened (closed after it), subscriber failures (rethrown after it) and a server that is
 * running again after every test, whatever an outage test left behind.
 */
abstract class NatsServerTest {

    static Broker broker;
    final Opened opened = new Opened();
    final AsyncFailures failures = new AsyncFailures();

    @BeforeAll
    static void startNats() {
        broker = Brokers.nats();
    }

    @AfterAll
    static void stopNats() {
        broker.close();
    }

    @AfterEach
    void closeBackplanes() {
        broker.start(); // after an outage test, whatever happened
        opened.close();
        failures.rethrow();
    }

    /** Subscribes a recorder that checks order and records failures in {@link #failures}. */
    Recorder subscribe(Backplane backplane, String channel) {
        Recorder recorder = new Recorder(channel, failures, true);
        await(backplane.subscribe(channel, recorder));
        return recorder;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
