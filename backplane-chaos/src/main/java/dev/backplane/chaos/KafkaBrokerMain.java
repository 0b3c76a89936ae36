package dev.backplane.chaos;

import dev.backplane.brokers.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;

/**
 * A Kafka broker in a JVM of its own for chaos runs, on a given directory and ports so that it
 * can be killed and started again on the same address and data. Prints {@code READY} once it
 * answers clients; ends when killed or when its standard input ends.
 *
 * <p>Arguments: data directory, client port, controller port, cluster id.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.onDirectory(Path.of(args[0]), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), args[3]);
        System.out.println("READY " + broker.address());
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the end of input
        }
        broker.stop();
        System.exit(0);
    }
}
