package dev.backplane.brokers;

import dev.backplane.fixture.LoopbackPorts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one place tests get brokers from. For each broker, in order:
 * <ol>
 *   <li>an address in the environment ({@code BACKPLANE_TEST_REDIS}, {@code BACKPLANE_TEST_NATS}):
 *       used as it is and never stopped;
 *   <li>a container, where a Docker engine answers ({@code BACKPLANE_TEST_DOCKER=false} skips the probe);
 *   <li>a private broker process ({@code redis-server}, {@code nats-server}) on an ephemeral
 *       loopback port with its own data directory.
 * </ol>
 * When none can be had, the call fails with a message that says how to get one; tests never skip
 * silently for want of a broker.
 */
public final class Brokers {

    public static final String REDIS_ENV = "BACKPLANE_TEST_REDIS";
    public static final String NATS_ENV = "BACKPLANE_TEST_NATS";

    private Brokers() {
    }

    /**
     * A Redis 7 server with append-only persistence, so that a stop and start keeps what it had
     * accepted, as a Redis configured for durability does. (A clean stop flushes the file.) The file
     * is synced every second: a SIGKILL may lose up to two seconds of writes Redis had acknowledged;
     * {@link #redis(String) redis("always")} for a server that keeps them.
     */
    public static Broker redis() {
        return redis("everysec");
    }

    /**
     * As {@link #redis()}, with Redis's {@code appendfsync} policy: {@code everysec}, {@code always}
     * (every acknowledged write survives a SIGKILL of the server) or {@code no}.
     */
    public static Broker redis(String appendfsync) {
        if (!List.of("everysec", "always", "no").contains(appendfsync)) {
            throw new IllegalArgumentException("appendfsync must be everysec, always or no, not '" + appendfsync + "'");
        }
        Optional<Broker> external = fromEnvironment(REDIS_ENV, 6379);
        if (external.isPresent()) {
            return external.get();
        }
        if (ContainerBroker.dockerAvailable()) {
            return new ContainerBroker("redis", "redis:7-alpine", 6379,
                    List.of("redis-server", "--save", "", "--appendonly", "yes", "--appendfsync", appendfsync));
        }
        String executable = BrokerProcess.findExecutable("redis-server").map(Object::toString).orElseThrow(() -> missing(
                "Redis", REDIS_ENV, "redis://host:port", "redis-server"));
        return new BrokerProcess("redis-server", p -> List.of(executable,
                "--port", Integer.toString(p.port()), "--bind", LoopbackPorts.LOOPBACK,
                "--save", "", "--appendonly", "yes", "--appendfsync", appendfsync, "--dir", p.dataDirectory().toString()));
    }

    /** A NATS server, with JetStream enabled and storing in a directory of its own. */
    public static Broker nats() {
        Optional<Broker> external = fromEnvironment(NATS_ENV, 4222);
        if (external.isPresent()) {
            return external.get();
        }
        if (ContainerBroker.dockerAvailable()) {
            return new ContainerBroker("nats", "nats:2.10-alpine", 4222, List.of("-js", "-sd", "/data"));
        }
        String executable = BrokerProcess.findExecutable("nats-server").map(Object::toString).orElseThrow(() -> missing(
                "NATS", NATS_ENV, "nats://host:port", "nats-server"));
        return new BrokerProcess("nats-server", p -> {
            List<String> command = new ArrayList<>(List.of(executable, "-a", LoopbackPorts.LOOPBACK,
                    "-p", Integer.toString(p.port()), "-js", "-sd", p.dataDirectory().resolve("jetstream").toString()));
            return command;
        });
    }

    /**
     * A single-node Kafka (KRaft): {@code BACKPLANE_TEST_KAFKA} if set, else an {@code apache/kafka}
     * container where Docker answers, else a broker inside this JVM
     * ({@link dev.backplane.brokers.kafka.EmbeddedKafkaBroker}). The Kafka artifacts are optional
     * dependencies of this module: a test module that calls this declares them itself.
     */
    public static Broker kafka() {
        Optional<Broker> external = fromEnvironment(dev.backplane.brokers.kafka.KafkaBrokers.ENV, 9092);
        if (external.isPresent()) {
            return external.get();
        }
        if (ContainerBroker.dockerAvailable()) {
            return dev.backplane.brokers.kafka.KafkaBrokers.container();
        }
        return dev.backplane.brokers.kafka.KafkaBrokers.embedded();
    }

    private static Optional<Broker> fromEnvironment(String variable, int defaultPort) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new ExternalBroker(variable, value.trim(), defaultPort));
    }

    private static IllegalStateException missing(String broker, String variable, String example, String debianPackage) {
        return new IllegalStateException("no " + broker + " broker for the tests: set " + variable + "=" + example
                + " to use a running one, start a Docker engine, or install " + debianPackage
                + " (apt-get install -y " + debianPackage + ", or run .ci/install-brokers)");
    }
}
