package dev.backplane.nats;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Backplanes;
import dev.backplane.hub.ConnectionSink;
import dev.backplane.hub.HubConnection;
import dev.backplane.hub.HubContext;
import dev.backplane.hub.HubMessage;
import dev.backplane.hub.HubNode;
import dev.backplane.hub.HubOptions;
import dev.backplane.hub.Target;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A load probe, not a test: hub nodes in one process on a nats-server of its own, a context
 * sending group messages at a fixed rate, every connection's sink recording send-to-client latency
 * (from the intended send time, so a stalled sender cannot hide its delay), order per connection,
 * gaps and slow-client disconnects; optionally the server killed with SIGKILL and started again in
 * the middle. Prints one summary.
 *
 * <pre>
 * HubLoadProbe [jetstream|nats] [--nodes 3] [--groups 100] [--connections 300] [--rate 2000]
 *              [--warmup 5] [--seconds 20] [--kill-at 10] [--users] [--options storage=memory&...]
 * </pre>
 * {@code --connections} is per node; each connection is in one group. {@code --kill-at} is in
 * seconds of the measured phase. {@code --users} gives every connection a user of its own (one
 * more channel per connection). {@code --options} adds backplane options (URI query syntax). When
 * a node misses deliveries, the groups it misses them in are listed.
 */
public final class HubLoadProbe {

    private static final String HUB = "probe";

    private final String scheme;
    private final int nodes;
    private final int groups;
    private final int connectionsPerNode;
    private final int rate;
    private final int warmupSeconds;
    private final int seconds;
    private final int killAt;
    private final boolean users;
    private final String backplaneOptions;
    private final AtomicLong gaps = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private volatile long measureFrom = Long.MAX_VALUE;
    private volatile long measureUntil = Long.MAX_VALUE;

    private HubLoadProbe(Map<String, String> args, String scheme) {
        this.scheme = scheme;
        this.nodes = Integer.parseInt(args.getOrDefault("nodes", "3"));
        this.groups = Integer.parseInt(args.getOrDefault("groups", "100"));
        this.connectionsPerNode = Integer.parseInt(args.getOrDefault("connections", "300"));
        this.rate = Integer.parseInt(args.getOrDefault("rate", "2000"));
        this.warmupSeconds = Integer.parseInt(args.getOrDefault("warmup", "5"));
        this.seconds = Integer.parseInt(args.getOrDefault("seconds", "20"));
        this.killAt = Integer.parseInt(args.getOrDefault("kill-at", "-1"));
        this.users = args.containsKey("users");
        this.backplaneOptions = args.getOrDefault("options", "");
    }

    public static void main(String[] argv) throws Exception {
        String scheme = argv.length > 0 && !argv[0].startsWith("--") ? argv[0] : "jetstream";
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].startsWith("--")) {
                String name = argv[i].substring(2);
                boolean flag = i + 1 >= argv.length || argv[i + 1].startsWith("--");
                args.put(name, flag ? "true" : argv[++i]);
            }
        }
        new HubLoadProbe(args, scheme).run();
        System.exit(0);
    }

    /** One node's counts. */
    private final class NodeStats {
        final String name;
        final AtomicLong received = new AtomicLong();
        final AtomicLong receivedMeasured = new AtomicLong();
        final AtomicLong expectedMeasured = new AtomicLong();
        final AtomicLong firstAfterRestart = new AtomicLong();
        final long[] latencies;
        final AtomicInteger count = new AtomicInteger();
        final int[] members = new int[groups];
        final AtomicLongArray perGroup = new AtomicLongArray(groups);

        NodeStats(String name, int capacity) {
            this.name = name;
            this.latencies = new long[capacity];
        }

        void record(long intended, long now, long seq) {
            received.incrementAndGet();
            perGroup.incrementAndGet((int) (seq % groups));
            firstAfterRestart.compareAndSet(0, now);
            if (intended >= measureFrom && intended < measureUntil) {
                receivedMeasured.incrementAndGet();
                int i = count.getAndIncrement();
                if (i < latencies.length) {
                    latencies[i] = now - intended;
                }
            }
        }
    }

    private void run() throws Exception {
        try (NatsServerProcess server = new NatsServerProcess()) {
            String prefix = "probe-" + UUID.randomUUID().toString().substring(0, 8);
            URI uri = URI.create(scheme + "://" + server.address());
            Map<String, String> options = new HashMap<>(Map.of(BackplaneConfig.PREFIX, prefix));
            for (String kv : backplaneOptions.isEmpty() ? new String[0] : backplaneOptions.split("&")) {
                options.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
            List<Backplane> backplanes = new ArrayList<>();
            List<HubNode> hubNodes = new ArrayList<>();
            List<NodeStats> stats = new ArrayList<>();
            int fanOutPerNode = Math.max(1, connectionsPerNode / groups);
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, (long) rate * seconds * fanOutPerNode * 2L + 1024);
            HubOptions hubOptions = HubOptions.of(HUB).withGapListener(gap -> gaps.incrementAndGet());
            for (int n = 0; n < nodes; n++) {
                Backplane backplane = Backplanes.open(uri, options);
                backplanes.add(backplane);
                HubNode node = HubNode.start(backplane, hubOptions);
                hubNodes.add(node);
                NodeStats s = new NodeStats("node-" + n, capacity);
                stats.add(s);
                List<CompletableFuture<?>> joins = new ArrayList<>();
                for (int c = 0; c < connectionsPerNode; c++) {
                    int group = c % groups;
                    s.members[group]++;
                    HubConnection connection = node.connect(users ? "u-" + n + "-" + c : null, new Sink(s)).join();
                    joins.add(node.addToGroup(connection.id(), "g" + group));
                }
                joins.forEach(CompletableFuture::join);
            }
            Backplane senderBackplane = Backplanes.open(uri, options);
            HubContext sender = HubContext.open(senderBackplane, hubOptions);
            long cpuBefore = cpuNanos(ProcessHandle.current());
            long serverCpuBefore = server.cpuNanos();

            long start = System.nanoTime();
            long interval = 1_000_000_000L / rate;
            measureFrom = start + Duration.ofSeconds(warmupSeconds).toNanos();
            measureUntil = measureFrom + Duration.ofSeconds(seconds).toNanos();
            long killTime = killAt < 0 ? Long.MAX_VALUE : measureFrom + Duration.ofSeconds(killAt).toNanos();
            long restartedAt = 0;
            AtomicLong sendFailures = new AtomicLong();
            long[] sendLatencies = new long[rate * (seconds + warmupSeconds) + 16];
            AtomicInteger sendCount = new AtomicInteger();
            long seq = 0;
            while (true) {
                long intended = start + seq * interval;
                if (intended >= measureUntil) {
                    break;
                }
                long now = System.nanoTime();
                if (now >= killTime && restartedAt == 0) {
                    server.kill();
                    server.start();
                    restartedAt = System.nanoTime();
                    stats.forEach(s -> s.firstAfterRestart.set(0));
                    continue;
                }
                if (intended > now) {
                    LockSupport.parkNanos(intended - now);
                    continue;
                }
                int group = (int) (seq % groups);
                if (intended >= measureFrom) {
                    for (NodeStats s : stats) {
                        s.expectedMeasured.addAndGet(s.members[group]);
                    }
                }
                byte[] json = ("[" + intended + "," + seq + "]").getBytes(StandardCharsets.US_ASCII);
                sender.sendJson(Target.group("g" + group), "m", json).whenComplete((ok, error) -> {
                    if (error != null) {
                        if (sendFailures.incrementAndGet() == 1) {
                            System.out.println("first failed send: " + error);
                        }
                    } else if (intended >= measureFrom) {
                        int i = sendCount.getAndIncrement();
                        if (i < sendLatencies.length) {
                            sendLatencies[i] = System.nanoTime() - intended;
                        }
                    }
                });
                seq++;
            }
            long sentEnd = System.nanoTime();
            long drainDeadline = sentEnd + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < drainDeadline
                    && stats.stream().anyMatch(s -> s.receivedMeasured.get() < s.expectedMeasured.get())) {
                Thread.sleep(50);
            }
            long cpu = cpuNanos(ProcessHandle.current()) - cpuBefore;
            long serverCpu = server.cpuNanos() - serverCpuBefore;
            double wall = (sentEnd - start) / 1e9;

            System.out.printf("%s: %d nodes x %d connections in %d groups, %d sends/s for %d s (+%d s warm-up)%s%s%n",
                    scheme, nodes, connectionsPerNode, groups, rate, seconds, warmupSeconds,
                    users ? ", a user per connection" : "", killAt >= 0 ? ", server killed at " + killAt + " s" : "");
            long[] sl = Arrays.copyOf(sendLatencies, Math.min(sendCount.get(), sendLatencies.length));
            Arrays.sort(sl);
            System.out.printf("sends made %d, failed %d; send completed after p50 %.1f ms, p99 %.1f ms%n", seq,
                    sendFailures.get(), pct(sl, 0.5), pct(sl, 0.99));
            for (NodeStats s : stats) {
                long[] l = Arrays.copyOf(s.latencies, Math.min(s.count.get(), s.latencies.length));
                Arrays.sort(l);
                System.out.printf("%s: delivered %d of %d measured (%.1f%%), send-to-client p50 %.1f ms, p90 %.1f ms, "
                                + "p99 %.1f ms, max %.1f ms%s%n", s.name, s.receivedMeasured.get(), s.expectedMeasured.get(),
                        100.0 * s.receivedMeasured.get() / Math.max(1, s.expectedMeasured.get()),
                        pct(l, 0.50), pct(l, 0.90), pct(l, 0.99), l.length == 0 ? 0 : l[l.length - 1] / 1e6,
                        restartedAt == 0 ? "" : String.format(", first delivery %.0f ms after the server was back",
                                (s.firstAfterRestart.get() - restartedAt) / 1e6));
            }
            if (stats.stream().anyMatch(s -> s.receivedMeasured.get() < s.expectedMeasured.get())) {
                for (NodeStats s : stats) {
                    StringBuilder b = new StringBuilder(s.name + " per group (received/expected):");
                    for (int g = 0; g < groups; g++) {
                        long expected = (seq / groups + (g < seq % groups ? 1 : 0)) * s.members[g];
                        if (s.perGroup.get(g) != expected) {
                            b.append(" g").append(g).append('=').append(s.perGroup.get(g)).append('/').append(expected);
                        }
                    }
                    System.out.println(b);
                }
            }
            System.out.printf("gaps reported %d, slow-client disconnects %d, out-of-order deliveries %d%n", gaps.get(),
                    disconnects.get(), reordered.get());
            System.out.printf("CPU: this process %.0f%% of one core, nats-server %.0f%%, over %.1f s%n",
                    100.0 * cpu / 1e9 / wall, 100.0 * serverCpu / 1e9 / wall, wall);
            sender.close();
            hubNodes.forEach(HubNode::close);
            senderBackplane.close();
            backplanes.forEach(Backplane::close);
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
    }

    private static long cpuNanos(ProcessHandle process) {
        return process == null ? 0 : process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** Records what one connection receives: latency, and whether the sender's sequence went backwards. */
    private final class Sink implements ConnectionSink {
        private final NodeStats stats;
        private long lastSeq = -1;

        Sink(NodeStats stats) {
            this.stats = stats;
        }

        @Override
        public void send(HubMessage message) {
            long now = System.nanoTime();
            byte[] a = message.argumentsJson();
            int comma = indexOf(a, (byte) ',');
            long intended = parse(a, 1, comma);
            long seq = parse(a, comma + 1, a.length - 1);
            if (seq <= lastSeq) {
                reordered.incrementAndGet();
            }
            lastSeq = seq;
            stats.record(intended, now, seq);
        }

        @Override
        public void disconnected(String reason) {
            disconnects.incrementAndGet();
        }
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static long parse(byte[] a, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            v = v * 10 + (a[i] - '0');
        }
        return v;
    }
}
