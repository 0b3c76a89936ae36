package dev.backplane.brokers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The broker fixtures give a real broker that answers its protocol, can be stopped (connections
 * refused) and started again on the same address, and leaves nothing behind when closed.
 */
class BrokersTest {

    @Test
    void redisStartsStopsStartsAgainOnTheSamePortAndCleansUp() throws IOException {
        assertLifecycle(Brokers::redis, BrokersTest::redisAnswersPing);
    }

    @Test
    void natsStartsStopsStartsAgainOnTheSamePortAndCleansUp() throws IOException {
        assertLifecycle(Brokers::nats, BrokersTest::natsSendsInfo);
    }

    private interface Probe {
        void check(Broker broker) throws IOException;
    }

    private static void assertLifecycle(Supplier<Broker> fixture, Probe answers) throws IOException {
        Broker broker = fixture.get();
        try {
            Assumptions.assumeTrue(broker.controllable(), () -> broker.description()
                    + " comes from the environment and is never stopped; unset the variable to test the fixture");
            assertThat(broker.host()).isEqualTo("127.0.0.1");
            assertThat(broker.port()).as("port of %s", broker.description()).isNotIn(6379, 4222);
            answers.check(broker);

            int port = broker.port();
            broker.stop();
            assertRefused(broker);
            broker.stop();

            broker.start();
            assertThat(broker.port()).as("port after a restart").isEqualTo(port);
            answers.check(broker);
            broker.start();
            answers.check(broker);
        } finally {
            broker.close();
        }
        assertRefused(broker);
        if (broker instanceof BrokerProcess process) {
            Path directory = process.directory();
            assertThat(Files.exists(directory)).as("data directory %s after close()", directory).isFalse();
        }
    }

    private static void assertRefused(Broker broker) {
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(broker.host(), broker.port()), 1000);
            }
        }).as("connecting to %s once it is stopped", broker.description()).isInstanceOf(ConnectException.class);
    }

    private static void redisAnswersPing(Broker broker) throws IOException {
        assertThat(exchange(broker, "PING\r\n", 7)).as("answer of %s to PING", broker.description())
                .isEqualTo("+PONG\r\n");
    }

    private static void natsSendsInfo(Broker broker) throws IOException {
        assertThat(exchange(broker, null, 5)).as("greeting of %s", broker.description()).isEqualTo("INFO ");
        if (broker instanceof BrokerProcess process) {
            assertThat(Files.isDirectory(process.directory().resolve("jetstream")))
                    .as("JetStream store inside the fixture's own data directory").isTrue();
        }
    }

    /** Connects, sends {@code request} if any, and reads {@code length} bytes of the answer. */
    private static String exchange(Broker broker, String request, int length) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(broker.host(), broker.port()), 2000);
            socket.setSoTimeout(5000);
            if (request != null) {
                OutputStream out = socket.getOutputStream();
                out.write(request.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            InputStream in = socket.getInputStream();
            return new String(in.readNBytes(length), StandardCharsets.US_ASCII);
        }
    }
}
