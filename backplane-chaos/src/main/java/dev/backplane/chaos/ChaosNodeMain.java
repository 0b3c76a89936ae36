package dev.backplane.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.hub.ConnectionSink;
import dev.backplane.hub.HubMessage;
import dev.backplane.hub.HubNode;
import dev.backplane.hub.HubOptions;
import dev.backplane.hub.HubStats;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * One hub node of a chaos run, in a process of its own: it connects its clients, puts each in a
 * group, and counts what each receives of the driver's numbered sends. It talks to the driver on
 * its standard streams: {@code READY} once its clients are in their groups; on {@code COUNT} the
 * number of messages its clients received so far and of nodes it declared dead; on {@code SAMPLE}
 * its live heap in bytes, threads and open file descriptors; on {@code REPORT
 * <ready times> <from> <to>} a line {@code REPORT {json}} with what its clients received; on
 * {@code STOP} it closes and exits. It exits by itself when its standard input ends.
 *
 * <p>Arguments: backplane URI, hub name, node name, clients, groups, heartbeat in milliseconds, and
 * every how many sends one goes to all (0 for none).
 */
public final class ChaosNodeMain {

    private ChaosNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String hub = args[1];
        String name = args[2];
        int clients = Integer.parseInt(args[3]);
        int groups = Integer.parseInt(args[4]);
        Duration heartbeat = Duration.ofMillis(Long.parseLong(args[5]));
        int allEvery = Integer.parseInt(args[6]);
        LongAdder gaps = new LongAdder();
        Backplane backplane = Backplanes.open(uri);
        HubOptions options = HubOptions.of(hub).withHeartbeat(heartbeat, 3).withCommandTimeout(Duration.ofSeconds(30))
                .withGapListener(g -> gaps.increment());
        HubNode node = HubNode.start(backplane, options);
        List<ClientLog> logs = new ArrayList<>();
        List<CompletableFuture<Void>> joins = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ClientLog log = new ClientLog();
            logs.add(log);
            String id = node.connect(null, sink(log, allEvery)).get().id();
            joins.add(node.addToGroup(id, "g" + (i % groups)));
            if (joins.size() >= 200) {
                CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get();
                joins.clear();
            }
        }
        CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get();
        System.out.println("READY " + name + " " + node.nodeId());
        System.out.flush();
        ObjectMapper json = new ObjectMapper();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("REPORT")) {
                String[] parts = line.split(" ");
                long[] ready = parts[1].equals("-") ? new long[0]
                        : Arrays.stream(parts[1].split(",")).mapToLong(Long::parseLong).toArray();
                Map<String, Object> report = report(name, node, logs, gaps.sum(), ready, Long.parseLong(parts[2]),
                        Long.parseLong(parts[3]));
                System.out.println("REPORT " + json.writeValueAsString(report));
                System.out.flush();
            } else if (line.equals("COUNT")) {
                System.out.println("COUNT " + logs.stream().mapToLong(ClientLog::count).sum() + " "
                        + node.stats().nodesDeclaredDead());
                System.out.flush();
            } else if (line.equals("SAMPLE")) {
                System.out.println("SAMPLE " + liveHeapBytes() + " " + ManagementFactory.getThreadMXBean().getThreadCount()
                        + " " + openFileDescriptors());
                System.out.flush();
            } else if (line.equals("STOP")) {
                break;
            }
        }
        node.close();
        backplane.close();
        System.exit(0);
    }

    /** The heap the last collection of each pool left in use: what is live, without forcing a collection. */
    static long liveHeapBytes() {
        long live = 0;
        for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            java.lang.management.MemoryUsage afterGc = pool.getCollectionUsage();
            if (pool.getType() == java.lang.management.MemoryType.HEAP && afterGc != null) {
                live += afterGc.getUsed();
            }
        }
        return live;
    }

    /** Open file descriptors (sockets included) of this process; -1 where the JVM cannot tell. */
    static long openFileDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getOpenFileDescriptorCount();
        }
        return -1;
    }

    private static ConnectionSink sink(ClientLog log, int allEvery) {
        return new ConnectionSink() {
            @Override
            public void send(HubMessage message) {
                long now = WallClock.micros();
                long[] fields = numbers(message.argumentsJson());
                log.received(fields[0], fields[1], now, Sender.toAll(fields[0], allEvery));
            }

            @Override
            public void disconnected(String reason) {
                System.err.println("client disconnected by the hub: " + reason);
            }
        };
    }

    /** The two numbers of {@code [seq,sentMicros]}, read without a JSON parser. */
    static long[] numbers(byte[] json) {
        long[] out = new long[2];
        int field = 0;
        long value = 0;
        boolean inNumber = false;
        for (byte b : json) {
            if (b >= '0' && b <= '9') {
                value = value * 10 + (b - '0');
                inNumber = true;
            } else if (inNumber) {
                out[field++] = value;
                value = 0;
                inNumber = false;
                if (field == 2) {
                    break;
                }
            }
        }
        return out;
    }

    private static Map<String, Object> report(String name, HubNode node, List<ClientLog> logs, long gaps,
            long[] readyTimes, long fromMicros, long toMicros) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("node", name);
        HubStats stats = node.stats();
        r.put("declaredDead", stats.nodesDeclaredDead());
        r.put("slowConnectionsDisconnected", stats.slowConnectionsDisconnected());
        r.put("gaps", gaps);
        r.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        r.put("peakThreads", ManagementFactory.getThreadMXBean().getPeakThreadCount());
        r.put("presenceNodes", node.presence().nodes().size());
        r.put("presenceConnections", node.presence().connections().size());
        List<Map<String, Object>> clients = new ArrayList<>();
        List<int[]> latencies = new ArrayList<>();
        for (ClientLog log : logs) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("received", Base64.getEncoder().encodeToString(log.received().toByteArray()));
            c.put("count", log.count());
            c.put("duplicates", log.duplicates());
            c.put("reordered", log.reordered());
            clients.add(c);
            latencies.add(log.latenciesBetween(fromMicros, toMicros));
        }
        r.put("clients", clients);
        List<Long> recoveries = new ArrayList<>();
        for (long ready : readyTimes) {
            long first = -1;
            for (ClientLog log : logs) {
                long t = log.firstArrivalAfter(ready);
                if (t >= 0 && (first < 0 || t < first)) {
                    first = t;
                }
            }
            recoveries.add(first < 0 ? -1 : first - ready);
        }
        r.put("recoveryMicros", recoveries);
        int[] all = latencies.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        r.put("latencySamples", all.length);
        r.put("p50Micros", percentile(all, 0.50));
        r.put("p99Micros", percentile(all, 0.99));
        r.put("p999Micros", percentile(all, 0.999));
        r.put("maxMicros", all.length == 0 ? 0 : all[all.length - 1]);
        return r;
    }

    static int percentile(int[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
