package dev.backplane.brokers;

import dev.backplane.fixture.LoopbackContainer;
import dev.backplane.fixture.LoopbackPorts;
import java.time.Duration;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A broker in a container, for machines where a Docker engine answers. The host port is chosen up
 * front and bound explicitly, so that {@link #stop()} and {@link #start()} keep the address.
 */
final class ContainerBroker implements Broker {

    private final String name;
    private final int port;
    private final LoopbackContainer container;

    ContainerBroker(String name, String image, int containerPort, List<String> command) {
        this.name = name;
        this.port = LoopbackPorts.freePort();
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image));
        if (!command.isEmpty()) {
            c = c.withCommand(command.toArray(String[]::new));
        }
        this.container = new LoopbackContainer(c, port, containerPort);
        awaitAccepting();
    }

    /** Whether a Docker engine answers; quick, and quiet about the answer. */
    static boolean dockerAvailable() {
        if ("false".equalsIgnoreCase(System.getenv("BACKPLANE_TEST_DOCKER"))) {
            return false;
        }
        // Testcontainers logs an ERROR when it finds no engine; that is an answer here, not a fault.
        System.setProperty("org.slf4j.simpleLogger.log.org.testcontainers", "off");
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String description() {
        return name + " at " + address() + " (container " + container.image() + ")";
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
        awaitAccepting();
    }

    @Override
    public void close() {
        container.close();
    }

    private void awaitAccepting() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!LoopbackPorts.accepting(port)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(description() + " did not accept connections within 30s");
            }
            LoopbackPorts.sleep(20);
        }
    }
}
