package dev.backplane.brokers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One broker of each kind per test JVM, started on first use and closed when the JVM exits, for
 * the many test classes of a module that only need "a broker" (the kit runs, for instance).
 * Test classes run one after another in a fork, so a test that stops the shared broker has it to
 * itself, and must start it again before it ends (the kits do).
 */
public final class SharedBrokers {

    private static final Map<String, Broker> BROKERS = new ConcurrentHashMap<>();

    private SharedBrokers() {
    }

    /** The shared Redis, see {@link Brokers#redis()}. */
    public static Broker redis() {
        return shared("redis", Brokers::redis);
    }

    /** The shared NATS server, see {@link Brokers#nats()}. */
    public static Broker nats() {
        return shared("nats", Brokers::nats);
    }

    /** The shared Kafka broker, see {@link Brokers#kafka()}. */
    public static Broker kafka() {
        return shared("kafka", Brokers::kafka);
    }

    private static Broker shared(String kind, Supplier<Broker> start) {
        return BROKERS.computeIfAbsent(kind, k -> {
            Broker broker = start.get();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "shared-" + k + "-broker-close"));
            return broker;
        });
    }
}
