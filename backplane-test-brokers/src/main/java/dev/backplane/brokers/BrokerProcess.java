package dev.backplane.brokers;

import dev.backplane.fixture.PrivateBroker;
import dev.backplane.fixture.Readiness;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/** A broker in a private child process ({@link PrivateBroker}), as the project's tests get it from {@link Brokers}. */
final class BrokerProcess implements Broker {

    private final PrivateBroker broker;

    BrokerProcess(String name, Function<PrivateBroker, List<String>> command) {
        this(name, Readiness.acceptsConnections(), command);
    }

    /** A broker ready when {@code readiness} says so (a TLS handshake on a TLS-only port, say). */
    BrokerProcess(String name, Readiness readiness, Function<PrivateBroker, List<String>> command) {
        this.broker = PrivateBroker.named(name).command(command).readiness(readiness)
                .readyTimeout(Duration.ofSeconds(20)).start();
    }

    /** The executable on the PATH, if any. */
    static Optional<Path> findExecutable(String executable) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/usr/bin";
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, executable))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The broker's data directory. */
    Path directory() {
        return broker.dataDirectory();
    }

    @Override
    public String description() {
        return broker.description();
    }

    @Override
    public String host() {
        return broker.host();
    }

    @Override
    public int port() {
        return broker.port();
    }

    @Override
    public boolean controllable() {
        return true;
    }

    @Override
    public void start() {
        broker.start();
    }

    @Override
    public void stop() {
        broker.stop();
    }

    /** SIGKILL: the process gets no chance to flush or say goodbye. */
    @Override
    public void kill() {
        broker.kill();
    }

    /** SIGSTOP: the process hangs with its sockets open. */
    @Override
    public void pause() {
        broker.pause();
    }

    /** SIGCONT after {@link #pause()}. */
    @Override
    public void resume() {
        broker.resume();
    }

    @Override
    public void close() {
        broker.close();
    }
}
