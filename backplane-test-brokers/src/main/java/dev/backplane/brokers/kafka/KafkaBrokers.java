package dev.backplane.brokers.kafka;

import java.util.Map;

/**
 * The Kafka side of {@link dev.backplane.brokers.Brokers#kafka()}: the environment variable it
 * reads and the brokers it can start.
 */
public final class KafkaBrokers {

    /** {@code host:port} of a running Kafka broker to use instead of starting one; never stopped by the tests. */
    public static final String ENV = "BACKPLANE_TEST_KAFKA";

    private KafkaBrokers() {
    }

    /** A broker in an {@code apache/kafka} container; needs a Docker engine. */
    public static KafkaContainerBroker container() {
        return new KafkaContainerBroker();
    }

    /** A broker inside this JVM, from the Maven artifacts alone. */
    public static EmbeddedKafkaBroker embedded() {
        return new EmbeddedKafkaBroker();
    }

    /** A broker in a child JVM, which a test can kill with SIGKILL ({@link KafkaBrokerProcess#kill()}). */
    public static KafkaBrokerProcess process() {
        return new KafkaBrokerProcess();
    }

    /** A broker inside this JVM whose client listener is secured as {@code security} says (TLS, SASL, ACLs). */
    public static EmbeddedKafkaBroker embedded(KafkaSecurity security) {
        return new EmbeddedKafkaBroker(security, Map.of());
    }

    /** A broker in a child JVM whose client listener is secured as {@code security} says (TLS, SASL, ACLs). */
    public static KafkaBrokerProcess process(KafkaSecurity security) {
        return new KafkaBrokerProcess(security, Map.of());
    }
}
