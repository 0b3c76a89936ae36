package dev.backplane.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.Health;
import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.memory.MemoryBus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The health timeline across a broker restart on every transport, measured: how long after the
 * broker stopped the backplane's health is DOWN (at most twice connectTimeout), and how long after
 * it started again it is UP (at most 2 s), with a second of slack for a loaded machine. Each line
 * goes to {@code target/health-timeline.txt}.
 */
class HealthTimelineTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SLACK = Duration.ofSeconds(1);

    /** A broker and the URI of a backplane on it. */
    private record Target(String name, Function<Broker, String> uri, java.util.function.Supplier<Broker> broker) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> transports() {
        return Stream.of(
                Arguments.of(new Target("redis", b -> "redis://" + b.address(), Brokers::redis)),
                Arguments.of(new Target("redis-streams", b -> "redis-streams://" + b.address(), Brokers::redis)),
                Arguments.of(new Target("nats", b -> "nats://" + b.address(), Brokers::nats)),
                Arguments.of(new Target("jetstream", b -> "jetstream://" + b.address(), Brokers::nats)),
                Arguments.of(new Target("kafka", b -> "kafka://" + b.address(), Brokers::kafka)),
                Arguments.of(new Target("mem", b -> "mem://" + ((MemBroker) b).name, MemBroker::new)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void healthIsDownWithinTwiceConnectTimeoutOfAStopAndUpWithinTwoSecondsOfTheRestart(Target target) throws Exception {
        try (Broker broker = target.broker().get(); Backplane backplane = open(target, broker)) {
            CountDownLatch received = new CountDownLatch(1);
            backplane.subscribe("c", d -> {
                d.ack();
                received.countDown();
            }).get(20, TimeUnit.SECONDS);
            backplane.publish("c", "before".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
            assertThat(received.await(20, TimeUnit.SECONDS)).as("delivered before the outage").isTrue();
            Waits.until(() -> backplane.health().status() == Health.Status.UP, Duration.ofSeconds(10), "UP at first");

            // Watched from the stop call on: a broker's own shutdown may take a while (Kafka's controlled shutdown).
            long stopping = System.nanoTime();
            java.util.concurrent.atomic.AtomicLong downAt = new java.util.concurrent.atomic.AtomicLong();
            Thread watcher = new Thread(() -> {
                while (downAt.get() == 0 && !Thread.currentThread().isInterrupted()) {
                    if (backplane.health().status() == Health.Status.DOWN) {
                        downAt.set(System.nanoTime());
                    }
                    Thread.onSpinWait();
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            watcher.setDaemon(true);
            watcher.start();
            broker.stop();
            long stopped = System.nanoTime();
            Waits.until(() -> downAt.get() != 0, CONNECT_TIMEOUT.multipliedBy(2).plus(SLACK),
                    target + " DOWN within twice connectTimeout of the stop");
            watcher.interrupt();
            long starting = System.nanoTime();
            broker.start();
            long started = System.nanoTime();
            Duration toUp = Waits.until(() -> backplane.health().status() == Health.Status.UP,
                    Duration.ofSeconds(2).plus(SLACK), target + " UP within 2 s of the broker's return");
            String line = String.format("%-14s DOWN %5d ms after stop() was called (stop() took %d ms); UP %5d ms "
                    + "after start() returned (start() took %d ms)%n", target, (downAt.get() - stopping) / 1_000_000,
                    (stopped - stopping) / 1_000_000, toUp.toMillis(), (started - starting) / 1_000_000);
            System.out.print(line);
            Files.writeString(Path.of("target", "health-timeline.txt"), line, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    /** Opens the backplane, trying again while a broker that just started is not ready yet (Kafka's first metadata). */
    private static Backplane open(Target target, Broker broker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return Backplanes.open(URI.create(target.uri().apply(broker)), Map.of(
                        "prefix", "timeline" + UUID.randomUUID().toString().substring(0, 6),
                        "connectTimeout", CONNECT_TIMEOUT.toMillis() + "ms", "publishTimeout", "3s"));
            } catch (dev.backplane.BrokerUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** The memory bus as a broker. */
    private static final class MemBroker implements Broker {
        final String name = "timeline-" + UUID.randomUUID();

        @Override
        public String description() {
            return "memory bus " + name;
        }

        @Override
        public String host() {
            return name;
        }

        @Override
        public int port() {
            return 0;
        }

        @Override
        public boolean controllable() {
            return true;
        }

        @Override
        public void stop() {
            MemoryBus.named(name).stop();
        }

        @Override
        public void start() {
            MemoryBus.named(name).start();
        }

        @Override
        public void close() {
            MemoryBus.named(name).start();
        }
    }
}
