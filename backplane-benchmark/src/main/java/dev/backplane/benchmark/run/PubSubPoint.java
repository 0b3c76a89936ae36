package dev.backplane.benchmark.run;

import dev.backplane.benchmark.driver.Driver;
import dev.backplane.benchmark.measure.AllocationMeter;
import dev.backplane.benchmark.measure.LatencySummary;
import dev.backplane.benchmark.measure.NodeRecorder;
import dev.backplane.benchmark.measure.Payloads;
import dev.backplane.benchmark.measure.SendLoop;
import dev.backplane.benchmark.measure.Ticker;
import dev.backplane.benchmark.workload.Point;
import dev.backplane.benchmark.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.Histogram;

/**
 * One point of a publish/subscribe workload on one driver: its publishers and subscribing nodes,
 * opened once and used for the warm-up and every measured run. Publishers spread their messages
 * over the channels round robin; every node subscribes to every channel.
 */
final class PubSubPoint implements AutoCloseable {

    private static final long STALL_NANOS = 3_000_000_000L;

    private final Driver driver;
    private final Point point;
    private final double ratePerSecond;
    private final List<String> channels;
    private final List<Driver.Publisher> publishers = new ArrayList<>();
    private final List<Driver.SubscribingNode> nodes = new ArrayList<>();
    private final AtomicReferenceArray<NodeRecorder> recorders;
    private final AllocationMeter meter = new AllocationMeter();

    /**
     * Opens the point: subscribes every node, then opens the publishers.
     *
     * @param ratePerSecond all publishers together, 0 for as fast as the window allows
     * @param channelPrefix makes the channel names of this point unique
     */
    PubSubPoint(Driver driver, Point point, double ratePerSecond, String channelPrefix) throws Exception {
        this.driver = driver;
        this.point = point;
        this.ratePerSecond = ratePerSecond;
        Workload w = point.workload();
        this.channels = new ArrayList<>();
        for (int c = 0; c < w.channels(); c++) {
            channels.add(channelPrefix + "-c" + c);
        }
        this.recorders = new AtomicReferenceArray<>(w.subscribingNodes());
        try {
            for (int n = 0; n < w.subscribingNodes(); n++) {
                int node = n;
                recorders.set(n, new NodeRecorder(-1, w.publishers(), w.channels()));
                nodes.add(driver.subscribe(channels, payload -> {
                    long now = System.nanoTime();
                    recorders.get(node).record(payload, now);
                }));
            }
            for (int p = 0; p < w.publishers(); p++) {
                publishers.add(driver.publisher());
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** One run: sends for {@code seconds}, waits for the deliveries, returns what happened. */
    RunResult run(int run, double seconds) throws Exception {
        Workload w = point.workload();
        int nodeCount = nodes.size();
        for (int n = 0; n < nodeCount; n++) {
            recorders.set(n, new NodeRecorder(run, w.publishers(), w.channels()));
        }
        long gapsBefore = gaps();
        long failuresBefore = failures();
        AtomicLong sent = new AtomicLong();
        meter.start();
        List<Thread> senders = new ArrayList<>();
        SendLoop.Outcome[] outcomes = new SendLoop.Outcome[publishers.size()];
        for (int p = 0; p < publishers.size(); p++) {
            int index = p;
            Driver.Publisher publisher = publishers.get(p);
            SendLoop loop = new SendLoop(Ticker.SYSTEM, ratePerSecond / publishers.size(), w.window(),
                    () -> Math.max(sent.get() - minDelivered(), publisher.unsettled()), STALL_NANOS);
            Thread t = new Thread(() -> outcomes[index] = loop.run((long) (seconds * 1e9), new SendLoop.Sender() {
                @Override
                public void send(int seq, long intendedNanos) {
                    publisher.send(channels.get(seq % channels.size()),
                            Payloads.encode(point.payloadBytes(), run, index, seq, intendedNanos));
                    sent.incrementAndGet();
                }

                @Override
                public void flush() {
                    publisher.flush();
                }
            }), "bench-publisher-" + p);
            senders.add(t);
            t.start();
        }
        for (Thread t : senders) {
            t.join();
        }
        long expected = sent.get() * nodeCount;
        Drain.await(this::totalDelivered, expected);
        long allocated = meter.stop();

        long start = Long.MAX_VALUE;
        long sendEnd = 0;
        boolean stalled = false;
        for (SendLoop.Outcome o : outcomes) {
            start = Math.min(start, o.startNanos());
            sendEnd = Math.max(sendEnd, o.endNanos());
            stalled |= o.stalled();
        }
        long delivered = 0;
        long duplicates = 0;
        long breaks = 0;
        long lastReceive = 0;
        Histogram latency = new Histogram(60_000_000_000L, 3);
        for (int n = 0; n < nodeCount; n++) {
            NodeRecorder r = recorders.get(n);
            delivered += r.unique();
            duplicates += r.duplicates();
            breaks += r.breaks();
            lastReceive = Math.max(lastReceive, r.lastReceiveNanos());
            latency.add(r.latency());
        }
        double sendSeconds = Math.max(1, sendEnd - start) / 1e9;
        double elapsed = Math.max(1, Math.max(lastReceive, sendEnd) - start) / 1e9;
        long failures = failures() - failuresBefore;
        return new RunResult(run, ratePerSecond, sent.get(), expected, delivered, expected - delivered, duplicates,
                gaps() - gapsBefore, breaks, failures, failures > 0 ? lastFailure() : null, 0, stalled, sendSeconds,
                elapsed, sent.get() / sendSeconds, delivered / (double) nodeCount / elapsed, delivered / elapsed,
                LatencySummary.of(latency), allocated < 0 || delivered == 0 ? -1 : allocated / (double) delivered);
    }

    private long minDelivered() {
        long min = Long.MAX_VALUE;
        for (int n = 0; n < recorders.length(); n++) {
            min = Math.min(min, recorders.get(n).unique());
        }
        return min;
    }

    private long totalDelivered() {
        long total = 0;
        for (int n = 0; n < recorders.length(); n++) {
            total += recorders.get(n).unique();
        }
        return total;
    }

    private long gaps() {
        return nodes.stream().mapToLong(Driver.SubscribingNode::reportedGaps).sum();
    }

    private long failures() {
        return publishers.stream().mapToLong(Driver.Publisher::failures).sum();
    }

    private String lastFailure() {
        return publishers.stream().map(Driver.Publisher::lastFailure).filter(f -> f != null).reduce((a, b) -> b).orElse(null);
    }

    @Override
    public void close() throws Exception {
        meter.close();
        Exception first = null;
        for (AutoCloseable c : concat(publishers, nodes)) {
            try {
                c.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        try {
            driver.cleanUp(channels);
        } catch (Exception e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }

    private static List<AutoCloseable> concat(List<? extends AutoCloseable> a, List<? extends AutoCloseable> b) {
        List<AutoCloseable> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
