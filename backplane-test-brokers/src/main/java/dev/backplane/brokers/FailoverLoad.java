package dev.backplane.brokers;

import dev.backplane.Backplane;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady publisher and one subscription across a broker fault: numbered messages published every
 * {@code interval}, each one's call, outcome and delivery time recorded, the subscription's gaps
 * with the time they were reported, and the moment of the fault; then a {@link Report} of what
 * resumed when and what was lost. For failover tests and their probes.
 */
public final class FailoverLoad implements AutoCloseable {

    /** One publish: when it was called and settled (nanoTime), and its failure, if any. */
    public record Publish(int sequence, long calledNanos, long settledNanos, Throwable failure) {
        public boolean succeeded() {
            return failure == null;
        }
    }

    /** A gap as reported, with when. */
    public record GapAt(long reportedNanos, Gap gap) {
    }

    private final Backplane publisher;
    private final String channel;
    private final long intervalNanos;
    private final Map<Integer, Publish> publishes = new ConcurrentHashMap<>();
    private final Map<Integer, Long> firstDelivery = new ConcurrentHashMap<>();
    private final AtomicInteger deliveries = new AtomicInteger();
    private final List<GapAt> gaps = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile long faultNanos;
    private volatile int called;

    private FailoverLoad(Backplane publisher, Backplane subscriber, String channel, Duration interval) throws Exception {
        this.publisher = publisher;
        this.channel = channel;
        this.intervalNanos = interval.toNanos();
        subscriber.subscribe(channel, new Subscriber() {
            @Override
            public void onMessage(Delivery delivery) {
                int sequence = Integer.parseInt(new String(delivery.payload(), StandardCharsets.US_ASCII));
                firstDelivery.putIfAbsent(sequence, System.nanoTime());
                deliveries.incrementAndGet();
                delivery.ack();
            }

            @Override
            public void onGap(Gap gap) {
                gaps.add(new GapAt(System.nanoTime(), gap));
            }
        }).get(30, TimeUnit.SECONDS);
        this.thread = new Thread(this::run, "failover-load-publisher");
        thread.setDaemon(true);
    }

    /** Subscribes on {@code subscriber}, then publishes on {@code publisher} every {@code interval} until {@link #stop}. */
    public static FailoverLoad start(Backplane publisher, Backplane subscriber, String channel, Duration interval)
            throws Exception {
        FailoverLoad load = new FailoverLoad(publisher, subscriber, channel, interval);
        load.thread.start();
        return load;
    }

    private void run() {
        long next = System.nanoTime();
        for (int i = 0; !stopping; i++) {
            int sequence = i;
            long called = System.nanoTime();
            this.called = i + 1;
            publisher.publish(channel, Integer.toString(sequence).getBytes(StandardCharsets.US_ASCII))
                    .whenComplete((position, failure) -> publishes.put(sequence,
                            new Publish(sequence, called, System.nanoTime(), failure)));
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    /** Marks the moment of the fault: call once it took effect (the master's process is gone). */
    public void fault() {
        faultNanos = System.nanoTime();
    }

    /** How many distinct messages were delivered so far. */
    public int delivered() {
        return firstDelivery.size();
    }

    /** How many messages were published so far that were called after the fault and succeeded. */
    public long succeededSinceFault() {
        long fault = faultNanos;
        return publishes.values().stream().filter(p -> p.succeeded() && fault != 0 && p.calledNanos() > fault).count();
    }

    /** How many publishes called after the fault have settled, whatever their outcome. */
    public long settledSinceFault() {
        long fault = faultNanos;
        return publishes.values().stream().filter(p -> fault != 0 && p.calledNanos() > fault).count();
    }

    /** How many of those were delivered. */
    public long deliveredSinceFault() {
        long fault = faultNanos;
        return publishes.values().stream().filter(p -> p.succeeded() && fault != 0 && p.calledNanos() > fault
                && firstDelivery.containsKey(p.sequence())).count();
    }

    /**
     * Stops publishing, waits until every publish has settled, then up to {@code drain} for
     * every successful one to be delivered, and reports.
     */
    public Report stop(Duration drain) throws InterruptedException {
        stopping = true;
        thread.join(10_000);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (publishes.size() < called && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
        long drained = System.nanoTime() + drain.toNanos();
        while (System.nanoTime() - drained < 0 && publishes.values().stream()
                .anyMatch(p -> p.succeeded() && !firstDelivery.containsKey(p.sequence()))) {
            Thread.sleep(20);
        }
        return new Report(faultNanos, new TreeMap<>(publishes), new TreeMap<>(firstDelivery), deliveries.get(),
                List.copyOf(gaps));
    }

    @Override
    public void close() {
        stopping = true;
    }

    /**
     * What happened.
     *
     * @param faultNanos when {@link #fault()} was called
     * @param publishes every publish, by sequence
     * @param delivered when each delivered sequence was first delivered
     * @param deliveries every delivery, repeats included
     * @param gaps the subscription's gaps
     */
    public record Report(long faultNanos, TreeMap<Integer, Publish> publishes, TreeMap<Integer, Long> delivered,
            int deliveries, List<GapAt> gaps) {

        /** Publishes that succeeded and were never delivered. */
        public List<Publish> lost() {
            return publishes.values().stream().filter(p -> p.succeeded() && !delivered.containsKey(p.sequence())).toList();
        }

        /** Publishes that failed. */
        public List<Publish> failed() {
            return publishes.values().stream().filter(p -> !p.succeeded()).toList();
        }

        /** Milliseconds from the fault to the settling of the first publish called after it that succeeded; -1 if none. */
        public long firstSuccessAfterFaultMillis() {
            return publishes.values().stream().filter(p -> p.succeeded() && p.calledNanos() > faultNanos)
                    .mapToLong(Publish::settledNanos).min().stream()
                    .map(t -> TimeUnit.NANOSECONDS.toMillis(t - faultNanos)).findFirst().orElse(-1);
        }

        /** Milliseconds from the fault to the first delivery of a message published after it; -1 if none. */
        public long firstDeliveryAfterFaultMillis() {
            return publishes.values().stream().filter(p -> p.calledNanos() > faultNanos && delivered.containsKey(p.sequence()))
                    .mapToLong(p -> delivered.get(p.sequence())).min().stream()
                    .map(t -> TimeUnit.NANOSECONDS.toMillis(t - faultNanos)).findFirst().orElse(-1);
        }

        /** Every message of every failure and gap, causes included: what a user of the backplane saw. */
        public List<String> messagesShown() {
            List<String> all = new ArrayList<>();
            for (Publish p : failed()) {
                for (Throwable t = p.failure(); t != null && t.getCause() != t; t = t.getCause()) {
                    all.add(t.getClass().getSimpleName() + ": " + t.getMessage());
                }
            }
            gaps.forEach(g -> all.add("gap: " + g.gap().reason()));
            return all;
        }

        /** One line for a README: published, failed, lost, the two resume times, gaps. */
        public String summary() {
            return publishes.size() + " published, " + failed().size() + " failed, " + lost().size()
                    + " succeeded but not delivered, " + (deliveries - delivered.size()) + " repeated; first publish "
                    + "called after the kill succeeded " + firstSuccessAfterFaultMillis() + " ms after it, first "
                    + "delivery of one " + firstDeliveryAfterFaultMillis() + " ms after it; " + gaps.size() + " gap(s)";
        }
    }
}
