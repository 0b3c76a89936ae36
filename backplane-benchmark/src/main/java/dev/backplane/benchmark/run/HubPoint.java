package dev.backplane.benchmark.run;

import dev.backplane.Backplane;
import dev.backplane.benchmark.driver.BackplaneDriver;
import dev.backplane.benchmark.measure.AllocationMeter;
import dev.backplane.benchmark.measure.LatencySummary;
import dev.backplane.benchmark.measure.SendLoop;
import dev.backplane.benchmark.measure.Ticker;
import dev.backplane.benchmark.workload.Point;
import dev.backplane.benchmark.workload.Workload;
import dev.backplane.hub.ConnectionSink;
import dev.backplane.hub.HubConnection;
import dev.backplane.hub.HubContext;
import dev.backplane.hub.HubMessage;
import dev.backplane.hub.HubNode;
import dev.backplane.hub.HubOptions;
import dev.backplane.hub.HubStats;
import dev.backplane.hub.Target;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One point of a hub workload: {@code subscribingNodes} hub nodes, each on a backplane instance of
 * its own, holding {@code connections} connections between them (connection {@code k} on node
 * {@code k % nodes}, in group {@code k % groups}, so every group spans every node; anonymous, so
 * that no user channel is subscribed), and a
 * {@link HubContext} on another instance sending {@code sendJson(Target.group(g), ...)} to the
 * groups in turn. Measured: deliveries per second to the sinks, and the latency from each send's
 * intended time to each sink call.
 */
final class HubPoint implements AutoCloseable {

    private static final long STALL_NANOS = 5_000_000_000L;
    private static final long SETUP_SECONDS = 300;
    /** Connects and group adds waiting at once while setting up: 10,000 at once would outwait the command timeout. */
    private static final int SETUP_IN_FLIGHT = 200;

    private final BackplaneDriver driver;
    private final Point point;
    private final double ratePerSecond;
    private final List<Backplane> instances = new ArrayList<>();
    private final List<HubNode> nodes = new ArrayList<>();
    private final int[] groupOf;
    private final int[] groupSize;
    private final AtomicReference<HubRecorder> recorder = new AtomicReference<>();
    private final AllocationMeter meter = new AllocationMeter();
    private HubContext context;

    HubPoint(BackplaneDriver driver, Point point, double ratePerSecond, String hubName) throws Exception {
        this.driver = driver;
        this.point = point;
        this.ratePerSecond = ratePerSecond;
        Workload w = point.workload();
        int groups = w.channels();
        this.groupOf = new int[w.connections()];
        this.groupSize = new int[groups];
        recorder.set(new HubRecorder(-1, groups, groupOf));
        try {
            HubOptions options = HubOptions.of(hubName).withCommandTimeout(Duration.ofSeconds(60));
            for (int n = 0; n < w.subscribingNodes(); n++) {
                Backplane b = driver.acquire();
                instances.add(b);
                nodes.add(HubNode.start(b, options));
            }
            List<CompletableFuture<HubConnection>> connecting = new ArrayList<>();
            Semaphore setup = new Semaphore(SETUP_IN_FLIGHT);
            for (int k = 0; k < w.connections(); k++) {
                int connection = k;
                groupOf[k] = k % groups;
                groupSize[k % groups]++;
                // Anonymous: a user per connection would add a user channel subscription per connection,
                // which is not what this workload measures (group sends).
                connecting.add(bounded(setup, () -> nodes.get(connection % nodes.size()).connect(null, new ConnectionSink() {
                    @Override
                    public void send(HubMessage message) {
                        long now = System.nanoTime();
                        recorder.get().record(connection, message.argumentsJson(), now);
                    }
                })));
            }
            CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).get(SETUP_SECONDS, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> joining = new ArrayList<>();
            for (int k = 0; k < w.connections(); k++) {
                HubContext owner = nodes.get(k % nodes.size());
                String id = connecting.get(k).join().id();
                String group = "g" + groupOf[k];
                joining.add(bounded(setup, () -> owner.addToGroup(id, group)));
            }
            CompletableFuture.allOf(joining.toArray(CompletableFuture[]::new)).get(SETUP_SECONDS, TimeUnit.SECONDS);
            Backplane b = driver.acquire();
            instances.add(b);
            context = HubContext.open(b, options);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    RunResult run(int run, double seconds) throws Exception {
        Workload w = point.workload();
        int groups = w.channels();
        HubRecorder r = new HubRecorder(run, groups, groupOf);
        recorder.set(r);
        long disconnectsBefore = nodeStats().slowConnectionsDisconnected();
        long gapsBefore = nodeStats().gaps();
        AtomicLong sent = new AtomicLong();
        AtomicLong owed = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> lastFailure = new AtomicReference<>();
        double meanGroup = w.connections() / (double) groups;
        meter.start();
        SendLoop loop = new SendLoop(Ticker.SYSTEM, ratePerSecond, w.window(),
                () -> sent.get() - (long) (r.unique() / meanGroup), STALL_NANOS);
        SendLoop.Outcome outcome = loop.run((long) (seconds * 1e9), (seq, intendedNanos) -> {
            int group = seq % groups;
            owed.addAndGet(groupSize[group]);
            sent.incrementAndGet();
            try {
                context.sendJson(Target.group("g" + group), "tick", HubRecorder.arguments(run, seq, intendedNanos))
                        .whenComplete((v, error) -> {
                            if (error != null) {
                                failures.incrementAndGet();
                                lastFailure.set(String.valueOf(error));
                            }
                        });
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                lastFailure.set(e.toString());
            }
        });
        Drain.await(r::unique, owed.get());
        long allocated = meter.stop();
        long delivered = r.unique();
        long start = outcome.startNanos();
        double sendSeconds = outcome.seconds();
        double elapsed = Math.max(1, Math.max(r.lastReceiveNanos(), outcome.endNanos()) - start) / 1e9;
        HubStats stats = nodeStats();
        return new RunResult(run, ratePerSecond, sent.get(), owed.get(), delivered, owed.get() - delivered,
                r.duplicates(), stats.gaps() - gapsBefore, r.breaks(), failures.get(), lastFailure.get(),
                stats.slowConnectionsDisconnected() - disconnectsBefore, outcome.stalled(), sendSeconds, elapsed,
                sent.get() / sendSeconds, sent.get() / elapsed, delivered / elapsed, LatencySummary.of(r.latency()),
                allocated < 0 || delivered == 0 ? -1 : allocated / (double) delivered);
    }

    /** Starts {@code call} once fewer than the semaphore's permits are in flight. */
    private static <T> CompletableFuture<T> bounded(Semaphore permits, Supplier<CompletableFuture<T>> call)
            throws InterruptedException {
        permits.acquire();
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
        f.whenComplete((v, e) -> permits.release());
        return f;
    }

    /** The nodes' counters added up. */
    private HubStats nodeStats() {
        long gaps = 0;
        long disconnects = 0;
        for (HubNode n : nodes) {
            HubStats s = n.stats();
            gaps += s.gaps();
            disconnects += s.slowConnectionsDisconnected();
        }
        return new HubStats(0, 0, 0, 0, gaps, 0, disconnects);
    }

    @Override
    public void close() {
        meter.close();
        if (context != null) {
            context.close();
        }
        nodes.forEach(HubNode::close);
        instances.forEach(driver::release);
    }
}
