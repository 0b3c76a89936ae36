package dev.backplane.examples.hub;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.hub.HubNode;
import dev.backplane.hub.HubOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Measures how long a crashed node stays in another node's presence: kills a node (closes its
 * backplane, no goodbye) at a random point of its heartbeat cycle and times until the observer
 * declares it dead. Usage: {@code PresenceBoundMeasurement URI [ROUNDS=10] [HEARTBEAT_MS=1000] [MISSED=3]}.
 */
public final class PresenceBoundMeasurement {

    private PresenceBoundMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args.length > 0 ? args[0] : "mem://measure";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Duration heartbeat = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 1000);
        int missed = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        HubOptions options = HubOptions.of("measure").withHeartbeat(heartbeat, missed);
        List<Long> millis = new ArrayList<>();
        try (Backplane ob = Backplanes.open(uri); HubNode observer = HubNode.start(ob, options)) {
            for (int i = 0; i < rounds; i++) {
                Backplane vb = Backplanes.open(uri);
                HubNode victim = HubNode.start(vb, options);
                while (!observer.presence().nodes().contains(victim.nodeId())) {
                    Thread.sleep(5);
                }
                Thread.sleep(ThreadLocalRandom.current().nextLong(heartbeat.toMillis()) + heartbeat.toMillis());
                long killed = System.nanoTime();
                vb.close();
                while (observer.presence().nodes().contains(victim.nodeId())) {
                    Thread.sleep(1);
                }
                millis.add((System.nanoTime() - killed) / 1_000_000);
                victim.close();
            }
        }
        Collections.sort(millis);
        System.out.println("uri=" + uri + " heartbeat=" + heartbeat.toMillis() + "ms missed=" + missed
                + " bound(interval x missed + sweep)=" + options.deathBound().toMillis() + "ms");
        System.out.println("detection after kill, ms: min=" + millis.get(0) + " median=" + millis.get(millis.size() / 2)
                + " max=" + millis.get(millis.size() - 1) + " all=" + millis);
    }
}
