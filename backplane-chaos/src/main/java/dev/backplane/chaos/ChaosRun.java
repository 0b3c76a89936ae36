package dev.backplane.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.hub.HubContext;
import dev.backplane.fixture.LoopbackPorts;
import dev.backplane.fixture.TcpProxy;
import dev.backplane.hub.HubOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chaos run: a private broker, hub nodes in processes of their own, a sender at a fixed rate
 * in this process, the broker killed and restarted on schedule; then every client's account of
 * what it received, checked against what the sender was told was accepted.
 */
final class ChaosRun {

    private static final String HUB = "chaos";
    /** How long the broker serves between a restart and the next crash, and after the last one. */

    private final ChaosSettings settings;
    private final Path workDirectory;
    private final List<Long> killedMicros = new ArrayList<>();
    private final List<Long> readyMicros = new ArrayList<>();
    private final List<ChaosSettings.Fault> faults = new ArrayList<>();
    private final List<TcpProxy> proxies = new ArrayList<>();
    /** Per node name: samples of {seconds since the start of sending, live heap bytes, threads, file descriptors}. */
    private final Map<String, List<long[]>> samples = new java.util.concurrent.ConcurrentHashMap<>();

    ChaosRun(ChaosSettings settings, Path workDirectory) {
        this.settings = settings;
        this.workDirectory = workDirectory;
    }

    /** Runs it and returns the figures, with {@code violations} listing what must not have happened. */
    Map<String, Object> run() throws Exception {
        Files.createDirectories(workDirectory);
        String prefix = ChaosBroker.runId();
        List<NodeProcess> nodes = new ArrayList<>();
        try (ChaosBroker broker = ChaosBroker.forTransport(settings.transport())) {
            String uri = broker.uri(settings.transport(), prefix) + "&publishTimeout="
                    + ChaosSettings.PUBLISH_TIMEOUT.toMillis() + "ms";
            for (int i = 1; i <= settings.nodes(); i++) {
                String nodeUri = uri;
                if (settings.proxied()) {
                    String address = broker.address();
                    int colon = address.lastIndexOf(':');
                    TcpProxy proxy = TcpProxy.to(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
                    proxies.add(proxy);
                    nodeUri = uri.replace("://" + address, "://" + LoopbackPorts.LOOPBACK + ":" + proxy.port());
                }
                nodes.add(new NodeProcess("node-" + i, nodeUri, HUB, settings.clientsPerNode(), settings.groups(),
                        settings.allEvery(), settings.heartbeat(), workDirectory.resolve(settings.transport() + "-node-" + i + ".log")));
            }
            NodeProcess target = nodes.get(nodes.size() - 1);
            for (NodeProcess node : nodes) {
                node.awaitReady(Duration.ofMinutes(3));
            }
            try (Backplane backplane = Backplanes.open(uri);
                    HubContext context = HubContext.open(backplane, HubOptions.of(HUB)
                            .withHeartbeat(settings.heartbeat(), 3))) {
                awaitNodes(context);
                // Deaths declared while the nodes and the sender were still starting up (a loaded machine
                // can hold a starting JVM's heartbeat back) are not the run's: counted from here.
                List<Long> deadBefore = new ArrayList<>();
                for (NodeProcess node : nodes) {
                    deadBefore.add(node.declaredDead(Duration.ofSeconds(30)));
                }
                Sender sender = new Sender(context, settings.rate(), settings.groups(), settings.allEvery());
                Thread sending = new Thread(sender::run, "chaos-sender");
                long startMicros = WallClock.micros();
                long started = System.nanoTime();
                sending.start();
                Thread sampler = sampler(nodes, started);
                // Each crash comes at its time, but never before the broker has served for the steady stretch since the last one.
                long lastReady = started;
                for (ChaosSettings.Outage outage : settings.outages()) {
                    sleepUntil(Math.max(started + outage.at().toNanos(), lastReady + settings.steady().toNanos()));
                    TcpProxy targetProxy = proxies.isEmpty() ? null : proxies.get(proxies.size() - 1);
                    switch (outage.fault()) {
                        case KILL -> broker.kill();
                        case PAUSE -> broker.pause();
                        case PARTITION -> targetProxy.partition();
                        case NODE_PAUSE -> target.pause();
                        case NODE_KILL -> target.kill();
                    }
                    faults.add(outage.fault());
                    killedMicros.add(WallClock.micros());
                    sleepUntil(System.nanoTime() + outage.length().toNanos());
                    switch (outage.fault()) {
                        case KILL -> broker.start();
                        case PAUSE -> broker.resume();
                        case PARTITION -> targetProxy.heal();
                        case NODE_PAUSE -> target.resume();
                        case NODE_KILL -> { } // it stays down
                    }
                    lastReady = System.nanoTime();
                    readyMicros.add(WallClock.micros());
                }
                sleepUntil(Math.max(started + settings.duration().toNanos(),
                        settings.outages().isEmpty() ? 0 : lastReady + settings.steady().toNanos()));
                sender.stop();
                sending.join();
                if (sampler != null) {
                    sampler.interrupt();
                    sampler.join();
                }
                long endMicros = WallClock.micros();
                List<NodeProcess> running = nodes.stream().filter(NodeProcess::alive).toList();
                // Let what is still on its way arrive: until no node receives more for two seconds.
                awaitQuiet(running);
                int presenceAtEnd = awaitPresence(context, running.size());
                List<JsonNode> reports = new ArrayList<>();
                // Steady latency: after a warm-up of five seconds, before the first crash (or the end).
                long steadyEnd = killedMicros.isEmpty() ? endMicros : killedMicros.get(0);
                for (NodeProcess node : running) {
                    reports.add(node.report(readyMicros, startMicros + 5_000_000L, steadyEnd, Duration.ofMinutes(1)));
                }
                return figures(broker.description(), sender, reports, deadBefore, presenceAtEnd);
            }
        } finally {
            nodes.forEach(NodeProcess::close);
            proxies.forEach(TcpProxy::close);
        }
    }

    /** Samples every running node's resources every {@code sampleEvery}, on a thread of its own; null if never. */
    private Thread sampler(List<NodeProcess> nodes, long started) {
        if (settings.sampleEvery().isZero()) {
            return null;
        }
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(settings.sampleEvery().toMillis());
                    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
                    for (NodeProcess node : nodes) {
                        if (node.alive()) {
                            long[] s = node.sample(Duration.ofSeconds(10));
                            samples.computeIfAbsent(node.name(), n -> new ArrayList<>())
                                    .add(new long[] {seconds, s[0], s[1], s[2]});
                        }
                    }
                }
            } catch (InterruptedException e) {
                // the run is over
            } catch (IllegalStateException e) {
                System.err.println("sampling stopped: " + e.getMessage());
            }
        }, "chaos-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * What grew: for each resource, the least of the last quarter's samples against the most of the
     * second quarter's (after the warm-up), so that only growth that lasts counts, not a peak.
     */
    private List<String> growth(String node, Map<String, Object> figures) {
        List<long[]> taken = samples.getOrDefault(node, List.of());
        List<String> grown = new ArrayList<>();
        if (taken.size() < 8) {
            return grown;
        }
        // In the figures: [first sample, most of the second quarter, least of the last quarter].
        String[] names = {"sampledLiveHeapMiB", "sampledThreads", "sampledFileDescriptors"};
        long[] margins = {16, 8, 16};
        int quarter = taken.size() / 4;
        for (int r = 0; r < names.length; r++) {
            int column = r + 1;
            java.util.function.LongUnaryOperator unit = column == 1 ? b -> b >> 20 : v -> v;
            long early = taken.subList(quarter, 2 * quarter).stream().mapToLong(x -> unit.applyAsLong(x[column])).max().orElse(0);
            long late = taken.subList(taken.size() - quarter, taken.size()).stream()
                    .mapToLong(x -> unit.applyAsLong(x[column])).min().orElse(0);
            figures.put(names[r], List.of(unit.applyAsLong(taken.get(0)[column]), early, late));
            if (late > early + early / 2 + margins[r]) {
                grown.add(node + "'s " + names[r].substring("sampled".length()) + " grew from " + early + " to " + late
                        + " over the run");
            }
        }
        return grown;
    }

    /** The nodes the sender's context sees once presence settled on {@code expected} (or after 30 s). */
    private static int awaitPresence(HubContext context, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (context.presence().nodes().size() != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return context.presence().nodes().size();
    }

    private static void awaitQuiet(List<NodeProcess> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long last = -1;
        int still = 0;
        while (still < 2 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long total = 0;
            for (NodeProcess node : nodes) {
                total += node.received(Duration.ofSeconds(30));
            }
            still = total == last ? still + 1 : 0;
            last = total;
        }
    }

    private void awaitNodes(HubContext context) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (context.presence().nodes().size() < settings.nodes()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the sender did not see " + settings.nodes() + " nodes within a "
                        + "minute: " + context.presence().nodes());
            }
            Thread.sleep(20);
        }
    }

    private Map<String, Object> figures(String broker, Sender sender, List<JsonNode> reports, List<Long> deadBefore,
            int presenceAtEnd) {
        BitSet accepted = sender.accepted();
        List<Sender.Failure> failures = sender.failures();
        long unexplained = failures.stream().filter(f -> !explained(f)).count();
        long unknown = failures.stream().filter(Sender.Failure::outcomeUnknown).count();
        boolean atLeastOnce = !List.of("redis", "nats", "redis-cluster").contains(settings.transport());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("transport", settings.transport());
        r.put("scenario", settings.scenario());
        r.put("broker", broker);
        r.put("guarantee", atLeastOnce ? "at-least-once" : "at-most-once");
        r.put("rate", settings.rate());
        r.put("seconds", settings.duration().toSeconds());
        r.put("nodes", settings.nodes());
        r.put("connections", settings.nodes() * settings.clientsPerNode());
        r.put("sent", sender.sent());
        r.put("accepted", accepted.cardinality());
        r.put("failed", failures.size());
        r.put("failedWithUnknownOutcome", unknown);
        r.put("failedOutsideAnOutage", unexplained);
        r.put("outages", outagesMillis());
        r.put("faults", faults.stream().map(Enum::name).toList());
        r.put("presenceNodesAtEnd", presenceAtEnd);
        List<Map<String, Object>> perNode = new ArrayList<>();
        long lost = 0;
        long duplicated = 0;
        long reordered = 0;
        long gaps = 0;
        long declaredDead = 0;
        long slow = 0;
        String targetName = "node-" + settings.nodes();
        List<String> nodeViolations = new ArrayList<>();
        long targetFaults = faults.stream().filter(f -> !f.ofBroker()).count();
        for (int index = 0; index < reports.size(); index++) {
            JsonNode report = reports.get(index);
            long nodeDead = report.get("declaredDead").asLong() - deadBefore.get(index);
            Map<String, Object> n = new LinkedHashMap<>();
            long nodeLost = 0;
            long nodeDup = 0;
            long nodeReordered = 0;
            JsonNode clients = report.get("clients");
            for (int i = 0; i < clients.size(); i++) {
                JsonNode c = clients.get(i);
                BitSet received = BitSet.valueOf(Base64.getDecoder().decode(c.get("received").asText()));
                int group = i % settings.groups();
                for (int seq = accepted.nextSetBit(0); seq >= 0; seq = accepted.nextSetBit(seq + 1)) {
                    if (Sender.reaches(seq, group, settings.groups(), settings.allEvery()) && !received.get(seq)) {
                        nodeLost++;
                    }
                }
                nodeDup += c.get("duplicates").asLong();
                nodeReordered += c.get("reordered").asLong();
            }
            n.put("node", report.get("node").asText());
            n.put("lost", nodeLost);
            n.put("duplicated", nodeDup);
            n.put("reordered", nodeReordered);
            n.put("gaps", report.get("gaps").asLong());
            n.put("declaredDead", nodeDead);
            n.put("declaredDeadDuringStartUp", deadBefore.get(index));
            n.put("slowConnectionsDisconnected", report.get("slowConnectionsDisconnected").asLong());
            List<Long> recovery = new ArrayList<>();
            report.get("recoveryMicros").forEach(v -> recovery.add(v.asLong() < 0 ? -1 : v.asLong() / 1000));
            n.put("firstDeliveryAfterReadyMillis", recovery);
            n.put("steadyP50Millis", report.get("p50Micros").asLong() / 1000.0);
            n.put("steadyP99Millis", report.get("p99Micros").asLong() / 1000.0);
            n.put("steadyP999Millis", report.get("p999Micros").asLong() / 1000.0);
            n.put("threads", report.get("threads").asLong());
            n.put("peakThreads", report.get("peakThreads").asLong());
            nodeViolations.addAll(growth(report.get("node").asText(), n));
            perNode.add(n);
            lost += nodeLost;
            duplicated += nodeDup;
            reordered += nodeReordered;
            gaps += report.get("gaps").asLong();
            if (settings.targetsANode() && !report.get("node").asText().equals(targetName)) {
                // The others may declare the target dead (it was silent), once a fault at most; never anyone else.
                if (nodeDead > targetFaults) {
                    nodeViolations.add(report.get("node").asText() + " declared " + nodeDead + " node(s) dead where only "
                            + targetName + " was silent, " + targetFaults + " time(s)");
                }
                if (faults.contains(ChaosSettings.Fault.NODE_KILL) && nodeDead == 0) {
                    nodeViolations.add(report.get("node").asText() + " never declared the killed " + targetName + " dead");
                }
                n.put("declaredTargetDead", nodeDead);
            } else {
                declaredDead += nodeDead; // by the target itself, after its own silence, or by anyone in a broker fault
            }
            slow += report.get("slowConnectionsDisconnected").asLong();
        }
        r.put("lost", lost);
        r.put("duplicated", duplicated);
        r.put("reordered", reordered);
        r.put("gaps", gaps);
        r.put("declaredDead", declaredDead);
        r.put("slowConnectionsDisconnected", slow);
        r.put("perNode", perNode);
        if (!samples.isEmpty()) {
            Map<String, Object> bySeconds = new LinkedHashMap<>();
            samples.forEach((node, list) -> bySeconds.put(node, list));
            r.put("samples", bySeconds);
        }
        List<String> violations = new ArrayList<>(nodeViolations);
        if (declaredDead > 0) {
            violations.add(declaredDead + (settings.targetsANode() ? " node(s) declared dead by " + targetName
                    + " after its own silence" : " node(s) declared dead while every node was alive"));
        }
        int expectedPresence = settings.nodes() - (faults.contains(ChaosSettings.Fault.NODE_KILL) ? 1 : 0);
        if (presenceAtEnd != expectedPresence) {
            violations.add("the sender's presence saw " + presenceAtEnd + " node(s) at the end, not " + expectedPresence);
        }
        if (unexplained > 0) {
            violations.add(unexplained + " send(s) failed although their publish timeout fell outside every outage");
        }
        if (slow > 0) {
            violations.add(slow + " client(s) disconnected as slow");
        }
        if (atLeastOnce) {
            if (lost > 0) {
                violations.add(lost + " accepted message(s) lost at clients (at-least-once)");
            }
            if (duplicated > 0) {
                violations.add(duplicated + " message(s) duplicated at clients");
            }
            if (reordered > 0) {
                violations.add(reordered + " message(s) out of order at clients on one route");
            }
        } else if (lost > 0 && gaps == 0) {
            violations.add(lost + " message(s) lost at clients with no gap reported (at-most-once must report)");
        }
        r.put("violations", violations);
        return r;
    }

    /**
     * A failed send is explained when its publish timeout overlapped an outage of the broker (with a
     * second of grace); the sender reaches the broker directly, so a node's fault explains none.
     */
    private boolean explained(Sender.Failure f) {
        long timeout = ChaosSettings.PUBLISH_TIMEOUT.toNanos() / 1000;
        for (int i = 0; i < killedMicros.size(); i++) {
            if (!faults.get(i).ofBroker()) {
                continue;
            }
            long from = killedMicros.get(i) - timeout;
            long to = (i < readyMicros.size() ? readyMicros.get(i) : Long.MAX_VALUE / 2) + 1_000_000;
            if (f.calledMicros() >= from && f.calledMicros() <= to) {
                return true;
            }
        }
        return false;
    }

    private List<Long> outagesMillis() {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < killedMicros.size() && i < readyMicros.size(); i++) {
            out.add((readyMicros.get(i) - killedMicros.get(i)) / 1000);
        }
        return out;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
        }
    }
}
