package dev.backplane.brokers;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;

/**
 * A container whose port is bound to a host port chosen up front, on the loopback address only,
 * so that {@link #stop()} and {@link #start()} stop and start the same container (its data stays)
 * at the same address. The brokers in containers are built on it; each waits for its own kind of
 * readiness after {@link #start()}.
 */
public final class LoopbackContainer implements AutoCloseable {

    private final GenericContainer<?> container;
    private final int hostPort;

    /**
     * Binds {@code containerPort} of {@code container} to {@code 127.0.0.1:hostPort} and starts it.
     */
    public LoopbackContainer(GenericContainer<?> container, int hostPort, int containerPort) {
        this.hostPort = hostPort;
        this.container = container.withExposedPorts(containerPort).withCreateContainerCmdModifier(cmd ->
                cmd.getHostConfig().withPortBindings(new PortBinding(
                        Ports.Binding.bindIpAndPort(LoopbackPorts.LOOPBACK, hostPort), new ExposedPort(containerPort))));
        this.container.start();
    }

    /** The image the container runs. */
    public String image() {
        return container.getDockerImageName();
    }

    /** Stops the container, keeping it; returns once its host port is closed. */
    public void stop() {
        container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout(10).exec();
        LoopbackPorts.awaitClosed(hostPort, Duration.ofSeconds(10));
    }

    /** Starts the stopped container again; the caller waits for what it runs to be ready. */
    public void start() {
        container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    }

    /** Stops and removes the container. */
    @Override
    public void close() {
        container.stop();
    }
}
