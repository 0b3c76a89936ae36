package dev.backplane.benchmark.run;

import dev.backplane.benchmark.brokers.BenchBrokers;
import dev.backplane.benchmark.driver.BackplaneDriver;
import dev.backplane.benchmark.driver.Driver;
import dev.backplane.benchmark.driver.Transports;
import dev.backplane.benchmark.workload.Point;
import dev.backplane.benchmark.workload.Rate;
import dev.backplane.benchmark.workload.Suite;
import dev.backplane.benchmark.workload.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a suite on every transport asked for. For each point of a publish/subscribe workload the
 * raw client and the backplane are set up side by side, warmed up, then measured in alternation
 * (raw run 1, backplane run 1, raw run 2, ...), so that whatever else the machine does at the
 * time weighs on both. A point that fails is recorded as an error and the suite goes on.
 */
public final class SuiteRunner {

    /** Seconds a point takes beyond its sending, for the progress estimate: subscribing, draining, closing. */
    private static final double SETUP_SECONDS = 1.0;
    private static final double HUB_SETUP_SECONDS = 8.0;

    private final Suite suite;
    private final List<String> transports;
    private final BenchBrokers brokers;
    private final Progress progress;
    private final String token = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private final List<PointResult> results = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    /** The maximum measured per transport and workload: the lower of the backplane's and the raw client's median. */
    private final Map<String, Double> maxima = new HashMap<>();

    public SuiteRunner(Suite suite, List<String> transports, BenchBrokers brokers, Progress progress) {
        this.suite = suite;
        this.transports = List.copyOf(transports);
        this.brokers = brokers;
        this.progress = progress;
    }

    public List<PointResult> results() {
        return List.copyOf(results);
    }

    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Runs everything; returns when done. */
    public void run() {
        for (String transport : transports) {
            for (Workload w : suite.workloads()) {
                progress.plan(w.points().size() * estimate(w));
            }
        }
        for (String transport : transports) {
            runTransport(transport);
        }
        progress.finish();
    }

    private double estimate(Workload w) {
        int sides = w.kind() == Workload.Kind.HUB ? 1 : 2;
        return sides * (w.warmupSeconds() + suite.runs() * w.durationSeconds())
                + (w.kind() == Workload.Kind.HUB ? HUB_SETUP_SECONDS : SETUP_SECONDS);
    }

    private void runTransport(String transport) {
        String family = Transports.family(transport);
        BenchBrokers.Endpoint broker = family == null ? null : brokers.endpoint(family).orElseThrow();
        BackplaneDriver backplane = Transports.backplane(transport, broker);
        Driver raw = Transports.raw(transport, broker);
        try {
            int index = 0;
            for (Workload w : suite.workloads()) {
                for (Point point : w.points()) {
                    String id = "t" + token + "-" + transport.replace("-", "") + "-" + index++;
                    try {
                        if (w.kind() == Workload.Kind.HUB) {
                            runHub(transport, backplane, point, id);
                        } else {
                            runPubSub(transport, backplane, raw, point, id);
                        }
                    } catch (Exception e) {
                        String message = transport + " / " + point.label() + ": " + e;
                        errors.add(message);
                        progress.note("FAILED " + message);
                    }
                    progress.advance(estimate(w), transport + " / " + point.label() + " done");
                }
            }
        } finally {
            closeQuietly(raw, transport + " raw client");
            closeQuietly(backplane, transport + " backplane");
        }
    }

    private double rateOf(String transport, Point point) {
        Rate rate = point.rate();
        if (rate.kind() != Rate.Kind.PERCENT_OF_MAX) {
            return rate.perSecond(0);
        }
        Double max = maxima.get(transport + "/" + point.workload().maxFrom());
        if (max == null || !(max > 0)) {
            throw new IllegalStateException("no maximum was measured for workload '" + point.workload().maxFrom()
                    + "' on " + transport + ", so " + rate.label() + " of it is unknown");
        }
        return rate.perSecond(max);
    }

    private void runPubSub(String transport, BackplaneDriver backplane, Driver raw, Point point, String id) throws Exception {
        Workload w = point.workload();
        double rate = rateOf(transport, point);
        List<RunResult> rawRuns = new ArrayList<>();
        List<RunResult> backplaneRuns = new ArrayList<>();
        try (PubSubPoint rawPoint = new PubSubPoint(raw, point, rate, id + "r");
             PubSubPoint backplanePoint = new PubSubPoint(backplane, point, rate, id + "b")) {
            if (w.warmupSeconds() > 0) {
                progress.status(transport + " / " + point.label() + "  warm-up");
                rawPoint.run(0, w.warmupSeconds());
                backplanePoint.run(0, w.warmupSeconds());
            }
            for (int r = 1; r <= suite.runs(); r++) {
                progress.status(transport + " / " + point.label() + "  run " + r + "/" + suite.runs());
                rawRuns.add(rawPoint.run(r, w.durationSeconds()));
                backplaneRuns.add(backplanePoint.run(r, w.durationSeconds()));
            }
        }
        PointResult rawResult = PointResult.of(transport, PointResult.RAW, raw.description(), point, rate, rawRuns);
        PointResult backplaneResult = PointResult.of(transport, PointResult.BACKPLANE, backplane.description(), point, rate,
                backplaneRuns);
        results.add(rawResult);
        results.add(backplaneResult);
        if (point.rate().kind() == Rate.Kind.MAX) {
            maxima.putIfAbsent(transport + "/" + w.name(), Math.min(rawResult.summary().messageRate().median(),
                    backplaneResult.summary().messageRate().median()));
        }
    }

    private void runHub(String transport, BackplaneDriver backplane, Point point, String id) throws Exception {
        Workload w = point.workload();
        double rate = rateOf(transport, point);
        List<RunResult> runs = new ArrayList<>();
        progress.status(transport + " / " + point.label() + "  connecting " + w.connections());
        try (HubPoint hub = new HubPoint(backplane, point, rate, id)) {
            if (w.warmupSeconds() > 0) {
                progress.status(transport + " / " + point.label() + "  warm-up");
                hub.run(0, w.warmupSeconds());
            }
            for (int r = 1; r <= suite.runs(); r++) {
                progress.status(transport + " / " + point.label() + "  run " + r + "/" + suite.runs());
                runs.add(hub.run(r, w.durationSeconds()));
            }
        }
        PointResult result = PointResult.of(transport, PointResult.BACKPLANE, backplane.description() + " + hub layer",
                point, rate, runs);
        results.add(result);
        if (point.rate().kind() == Rate.Kind.MAX) {
            maxima.putIfAbsent(transport + "/" + w.name(), result.summary().messageRate().median());
        }
    }

    private void closeQuietly(AutoCloseable c, String what) {
        try {
            c.close();
        } catch (Exception e) {
            errors.add("closing the " + what + ": " + e);
        }
    }
}
