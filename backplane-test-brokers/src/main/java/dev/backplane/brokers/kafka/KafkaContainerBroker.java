package dev.backplane.brokers.kafka;

import dev.backplane.brokers.Broker;
import dev.backplane.fixture.LoopbackContainer;
import dev.backplane.fixture.LoopbackPorts;
import java.time.Duration;
import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node Kafka (KRaft) in an {@code apache/kafka} container, for machines where a Docker
 * engine answers.
 *
 * <p>The host port is chosen up front, bound on 127.0.0.1 only and used as the container port too,
 * so that the address the broker advertises ({@code 127.0.0.1:PORT}) is right both for clients on
 * the host and for the broker itself inside the container. {@link #stop()} and {@link #start()}
 * stop and start the same container, which keeps its log directory and its address.
 */
public final class KafkaContainerBroker implements Broker {

    /** The image used; its Kafka release matches the client library's major and minor version. */
    public static final String IMAGE = "apache/kafka:4.1.0";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final int port = LoopbackPorts.freePort();
    private final LoopbackContainer container;

    /** Creates and starts the container; returns once the broker answers clients. */
    public KafkaContainerBroker() {
        String advertised = LoopbackPorts.LOOPBACK + ":" + port;
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withEnv(Map.ofEntries(
                        Map.entry("KAFKA_NODE_ID", "1"),
                        Map.entry("KAFKA_PROCESS_ROLES", "broker,controller"),
                        Map.entry("KAFKA_LISTENERS", "PLAINTEXT://:" + port + ",CONTROLLER://localhost:9093"),
                        Map.entry("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://" + advertised),
                        Map.entry("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER"),
                        Map.entry("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"),
                        Map.entry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093"),
                        Map.entry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1"),
                        Map.entry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1"),
                        Map.entry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1"),
                        Map.entry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1"),
                        Map.entry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1"),
                        Map.entry("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0"),
                        Map.entry("KAFKA_NUM_PARTITIONS", "1")));
        this.container = new LoopbackContainer(c, port, port);
        KafkaReadiness.await(address(), READY_TIMEOUT, this::description);
    }

    @Override
    public String description() {
        return "Kafka at " + address() + " (container " + IMAGE + ")";
    }

    @Override
    public String host() {
        return LoopbackPorts.LOOPBACK;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public boolean controllable() {
        return true;
    }

    @Override
    public void stop() {
        container.stop();
    }

    @Override
    public void start() {
        container.start();
        KafkaReadiness.await(address(), READY_TIMEOUT, this::description);
    }

    @Override
    public void close() {
        container.close();
    }
}
