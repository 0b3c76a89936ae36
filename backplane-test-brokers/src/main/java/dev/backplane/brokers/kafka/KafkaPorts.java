package dev.backplane.brokers.kafka;

import dev.backplane.fixture.LoopbackPorts;
import java.util.HashSet;
import java.util.Set;

/**
 * The three loopback ports of a single-node test broker, chosen once and kept across restarts:
 * the client listener, the internal listener (inter-broker traffic and test set-up on a secured
 * broker; unused on a plain one) and the controller listener. They are distinct.
 */
record KafkaPorts(int client, int internal, int controller) {

    /** Three free, distinct ports. */
    static KafkaPorts pick() {
        Set<Integer> ports = new HashSet<>();
        int[] picked = new int[3];
        for (int i = 0; i < picked.length; i++) {
            int port;
            do {
                port = LoopbackPorts.freePort();
            } while (!ports.add(port));
            picked[i] = port;
        }
        return new KafkaPorts(picked[0], picked[1], picked[2]);
    }

    /** {@code 127.0.0.1:port}. */
    static String address(int port) {
        return LoopbackPorts.LOOPBACK + ":" + port;
    }
}
