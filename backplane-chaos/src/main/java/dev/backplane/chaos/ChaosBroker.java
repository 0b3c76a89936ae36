package dev.backplane.chaos;

import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The broker of a chaos run, private to it, on an ephemeral loopback port: killed with SIGKILL
 * and started again on the same address and data, as a crash and a restart.
 */
interface ChaosBroker extends AutoCloseable {

    /** The backplane URI of {@code transport} on this broker, with {@code prefix}. */
    String uri(String transport, String prefix);

    /** SIGKILL; returns once the port refuses connections. */
    void kill();

    /** Starts it again; returns once it accepts clients. */
    void start();

    String description();

    @Override
    void close();

    /** The broker a transport needs. */
    static ChaosBroker forTransport(String transport) {
        return switch (transport) {
            case "redis", "redis-streams" -> new Fixture(Brokers.redis());
            case "nats", "jetstream" -> new Fixture(Brokers.nats());
            case "kafka" -> new KafkaProcess();
            default -> throw new IllegalArgumentException("unknown transport '" + transport
                    + "'; known: redis, redis-streams, nats, jetstream, kafka");
        };
    }

    /** A private redis-server or nats-server from the test fixtures. */
    final class Fixture implements ChaosBroker {
        private final Broker broker;

        Fixture(Broker broker) {
            if (!broker.controllable()) {
                broker.close();
                throw new IllegalStateException("chaos runs kill their broker, so they need one of their own, not "
                        + broker.description() + "; unset BACKPLANE_TEST_REDIS / BACKPLANE_TEST_NATS");
            }
            this.broker = broker;
        }

        @Override
        public String uri(String transport, String prefix) {
            return transport + "://" + broker.address() + "?prefix=" + prefix;
        }

        @Override
        public void kill() {
            broker.kill();
        }

        @Override
        public void start() {
            broker.start();
        }

        @Override
        public String description() {
            return broker.description();
        }

        @Override
        public void close() {
            broker.close();
        }
    }

    /** A Kafka KRaft broker in a JVM of its own ({@link KafkaBrokerMain}), killed with the JVM. */
    final class KafkaProcess implements ChaosBroker {
        private final Path directory;
        private final int port = dev.backplane.brokers.LoopbackPorts.freePort();
        private final int controllerPort = dev.backplane.brokers.LoopbackPorts.freePort();
        private final String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        private Process process;

        KafkaProcess() {
            try {
                directory = Files.createTempDirectory("backplane-chaos-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            start();
        }

        @Override
        public String uri(String transport, String prefix) {
            return "kafka://127.0.0.1:" + port + "?prefix=" + prefix;
        }

        @Override
        public synchronized void kill() {
            if (process != null) {
                process.destroyForcibly();
                try {
                    process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                process = null;
            }
        }

        @Override
        public synchronized void start() {
            if (process != null) {
                return;
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            try {
                process = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                        KafkaBrokerMain.class.getName(), directory.toString(), Integer.toString(port),
                        Integer.toString(controllerPort), clusterId))
                        .redirectError(ProcessBuilder.Redirect.appendTo(directory.resolve("broker.log").toFile()))
                        .start();
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                String line = out.readLine();
                if (line == null || !line.startsWith("READY")) {
                    throw new IllegalStateException("the Kafka broker process did not start; see "
                            + directory.resolve("broker.log"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the Kafka broker process", e);
            }
        }

        @Override
        public String description() {
            return "Kafka (KRaft) at 127.0.0.1:" + port + " (private JVM, data in " + directory + ")";
        }

        @Override
        public void close() {
            kill();
            try (var files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory is harmless
            }
        }
    }

    /** A name no other run uses, for the prefix. */
    static String runId() {
        return "chaos" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
    }
}
