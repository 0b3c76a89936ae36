package dev.backplane.benchmark.brokers;

import dev.backplane.brokers.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * A Kafka KRaft broker in a JVM of its own, so that its threads and allocations are not counted
 * in the benchmark's. Prints {@code READY host:port version} once it answers clients, and stops
 * (deleting its log directory) when its standard input ends: when the benchmark closes it or dies.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()) {
            System.out.println("READY " + broker.address() + " " + AppInfoParser.getVersion());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the end of input
            }
        }
        System.exit(0);
    }
}
