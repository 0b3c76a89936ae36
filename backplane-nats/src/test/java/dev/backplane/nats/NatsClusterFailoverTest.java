package dev.backplane.nats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Backplanes;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.tck.KitTimeouts;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One server of a three-server NATS cluster killed (SIGKILL) under a steady load, with the
 * publisher and two subscribers each on a different server: the clients move to a survivor and
 * the traffic resumes. Core NATS loses what was sent while a subscriber was away and reports it
 * as a gap; JetStream with replicas=3 loses no publish that completed. Each run prints its
 * failover figures on a line starting with {@code FAILOVER}.
 */
class NatsClusterFailoverTest extends OwnNatsClusterTest {

    private static final int PUBLISHER = 0;
    private static final int SUBSCRIBER_A = 1;
    private static final int SUBSCRIBER_B = 2;
    private static final int BEFORE_KILL = 300;
    private static final int AFTER_KILL = 300;
    private static final Duration RECOVERY = Duration.ofSeconds(60);

    private final String prefix = "fo-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Backplane> opened = new ArrayList<>();

    @AfterEach
    void closeAndRestart() {
        opened.forEach(Backplane::close);
        cluster().startAll();
    }

    @Test
    void coreNatsSubscriberWhoseServerIsKilledMovesToASurvivorAndHearsOfTheGapAndNothingElseIsLost() {
        Run run = new Run("nats", Map.of(), 0).start();
        run.killAndRecover(SUBSCRIBER_A);

        assertThat(cluster().memberServing(run.nameA)).as("subscriber A's connection is on a surviving server")
                .isIn(PUBLISHER, SUBSCRIBER_B);
        assertThat(run.a.gaps()).as("at most once: the outage is reported to the subscriber that was away, once")
                .hasSize(1);
        run.a.assertStrictlyIncreasing();
        run.b.assertStrictlyIncreasing();
        Set<Integer> lostByA = run.lost(run.a);
        List<int[]> holes = run.a.holes(run.completed());
        assertThat(holes).as("subscriber A's deliveries skip completed publishes in one place, the outage").hasSize(1);
        int[] outage = holes.get(0);
        assertThat(outage[0]).as("the outage starts after the last delivery before the kill").isGreaterThanOrEqualTo(
                run.highestOfAAtKill);
        assertThat(lostByA).as("subscriber A lost only messages sent while it was away (after %s, before %s)",
                outage[0], outage[1]).allMatch(n -> n > outage[0] && n < outage[1]);
        assertThat(run.lost(run.b)).as("subscriber B, whose server kept running, lost nothing").isEmpty();
        assertThat(run.b.gaps()).as("subscriber B's connection never broke").isEmpty();
        run.report("core nats, subscriber A's server killed", lostByA.size(), outage[1] - outage[0] - 1);
    }

    @Test
    void jetStreamReplicasThreeLosesNoCompletedPublishWhenThePublishersServerIsKilled() {
        jetStreamKill(PUBLISHER, "JetStream R3, the publisher's server killed");
    }

    @Test
    void jetStreamReplicasThreeLosesNoCompletedPublishWhenASubscribersServerIsKilled() {
        jetStreamKill(SUBSCRIBER_A, "JetStream R3, subscriber A's server killed");
    }

    private void jetStreamKill(int victim, String what) {
        Run run = new Run("jetstream", Map.of("replicas", "3", "publishTimeout", "20s"), 100).start();
        run.killAndRecover(victim);

        for (String name : List.of(run.namePublisher, run.nameA, run.nameB)) {
            assertThat(cluster().memberServing(name)).as("%s is connected to a running server", name).isNotEqualTo(-1);
        }
        for (Arrivals subscriber : List.of(run.a, run.b)) {
            assertThat(run.lost(subscriber)).as("%s: every publish that completed is delivered", subscriber.name).isEmpty();
            subscriber.assertFirstDeliveriesInPublishOrder();
            assertThat(subscriber.gaps()).as("%s: no gap where nothing was lost", subscriber.name).isEmpty();
        }
        run.report(what, 0, 0);
    }

    /** The three clients, the load and what the subscribers received. */
    private final class Run {
        final String scheme;
        final Map<String, String> options;
        final int maxInFlight;
        final String channel = "steady";
        final List<Sent> sent = new CopyOnWriteArrayList<>();
        Backplane publisher;
        String namePublisher;
        String nameA;
        String nameB;
        final Arrivals a = new Arrivals("subscriber A");
        final Arrivals b = new Arrivals("subscriber B");
        volatile boolean stop;
        Thread sender;
        long killedAt;
        int highestOfAAtKill;
        int firstSentAfterKill;

        Run(String scheme, Map<String, String> options, int maxInFlight) {
            this.scheme = scheme;
            this.options = options;
            this.maxInFlight = maxInFlight;
        }

        Run start() {
            namePublisher = "pub-" + prefix;
            nameA = "sub-a-" + prefix;
            nameB = "sub-b-" + prefix;
            publisher = openOn(PUBLISHER, namePublisher);
            Backplane onA = openOn(SUBSCRIBER_A, nameA);
            Backplane onB = openOn(SUBSCRIBER_B, nameB);
            Opened.await(onA.subscribe(channel, a));
            Opened.await(onB.subscribe(channel, b));
            // Interest crosses the routes a moment after the subscribe: send until both hear.
            await(() -> {
                Opened.await(publisher.publish(channel, "warm-up".getBytes(StandardCharsets.UTF_8)));
                return a.warmedUp() && b.warmedUp();
            }, Duration.ofSeconds(30), "both subscribers receive through the cluster");
            sender = new Thread(this::send, "test-steady-sender");
            sender.start();
            await(() -> a.count() >= BEFORE_KILL && b.count() >= BEFORE_KILL, RECOVERY, "deliveries before the kill");
            return this;
        }

        private Backplane openOn(int member, String name) {
            Map<String, String> all = new HashMap<>(options);
            all.put(BackplaneConfig.PREFIX, prefix);
            all.put(NatsSettings.CONNECTION_NAME, name);
            // jnats picks one of the servers at random: open again until it picked this one.
            for (int attempt = 0; attempt < 60; attempt++) {
                Backplane backplane = Backplanes.open(URI.create(scheme + "://" + cluster().addresses()), all);
                if (cluster().memberServing(name) == member) {
                    opened.add(backplane);
                    return backplane;
                }
                backplane.close();
            }
            throw new AssertionError("no open of " + name + " landed on " + cluster().member(member));
        }

        private void send() {
            for (int i = 0; !stop; i++) {
                if (maxInFlight > 0 && i >= maxInFlight) {
                    Opened.awaitDone(sent.get(i - maxInFlight).future, RECOVERY);
                }
                Sent s = new Sent(i, System.nanoTime(), publisher.publish(channel,
                        Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
                s.future.whenComplete((p, e) -> s.doneAt = System.nanoTime());
                sent.add(s);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // the steady rate, ~500/s at most
            }
        }

        void killAndRecover(int victim) {
            firstSentAfterKill = sent.size();
            killedAt = System.nanoTime();
            highestOfAAtKill = a.highest();
            cluster().kill(victim);
            firstSentAfterKill = Math.max(firstSentAfterKill, sent.size());
            int target = firstSentAfterKill + AFTER_KILL;
            await(() -> a.highest() >= target && b.highest() >= target, RECOVERY,
                    () -> "both subscribers receive messages sent after the kill (number " + target + " and on); "
                            + "received up to A " + a.highest() + ", B " + b.highest() + "; sent " + sent.size()
                            + ", completed " + completed().size());
            stop = true;
            try {
                sender.join(RECOVERY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertThat(sender.isAlive()).as("the sender stopped").isFalse();
            for (Sent s : sent) {
                Opened.awaitDone(s.future, Duration.ofSeconds(20).plus(KitTimeouts.grace()));
            }
            int last = completed().last();
            await(() -> a.highest() >= last && b.highest() >= last, RECOVERY, "the last completed publish arrives");
            // What is still on its way after the last completed one: a moment for redeliveries to show.
            a.settle();
        }

        TreeSet<Integer> completed() {
            TreeSet<Integer> ok = new TreeSet<>();
            for (Sent s : sent) {
                if (!s.future.isCompletedExceptionally()) {
                    ok.add(s.number);
                }
            }
            return ok;
        }

        Set<Integer> lost(Arrivals subscriber) {
            Set<Integer> lost = new TreeSet<>(completed());
            lost.removeAll(subscriber.numbers());
            return lost;
        }

        void report(String what, int lostAtMostOnce, int insideGap) {
            long firstPublish = Long.MAX_VALUE;
            int failed = 0;
            for (Sent s : sent) {
                if (s.future.isCompletedExceptionally()) {
                    failed++;
                } else if (s.sentAt >= killedAt) {
                    firstPublish = Math.min(firstPublish, s.doneAt - killedAt);
                }
            }
            System.out.printf("FAILOVER %s: publishes %d (%d failed); kill to first publish completing %d ms; to first "
                            + "delivery of a message sent after the kill: A %d ms, B %d ms; lost at most once %d (inside "
                            + "the gap's window %d); lost at least once A %d B %d; duplicates A %d B %d; gaps A %d B %d%n",
                    what, sent.size(), failed, TimeUnit.NANOSECONDS.toMillis(firstPublish),
                    TimeUnit.NANOSECONDS.toMillis(a.firstArrivalOf(firstSentAfterKill) - killedAt),
                    TimeUnit.NANOSECONDS.toMillis(b.firstArrivalOf(firstSentAfterKill) - killedAt),
                    lostAtMostOnce, insideGap, scheme.equals("jetstream") ? lost(a).size() : 0,
                    scheme.equals("jetstream") ? lost(b).size() : 0, a.duplicates(), b.duplicates(),
                    a.gaps().size(), b.gaps().size());
        }
    }

    private static final class Sent {
        final int number;
        final long sentAt;
        final CompletableFuture<Position> future;
        volatile long doneAt;

        Sent(int number, long sentAt, CompletableFuture<Position> future) {
            this.number = number;
            this.sentAt = sentAt;
            this.future = future;
        }
    }

    /** What one subscriber received, numbered messages with their arrival times; acknowledges each. */
    private static final class Arrivals implements Subscriber {
        record Arrival(int number, long at) {
        }

        final String name;
        private final List<Arrival> arrivals = new ArrayList<>();
        private final List<Gap> gaps = new ArrayList<>();
        private boolean warmedUp;

        Arrivals(String name) {
            this.name = name;
        }

        @Override
        public void onMessage(Delivery delivery) {
            String text = new String(delivery.payload(), StandardCharsets.UTF_8);
            synchronized (this) {
                if (text.equals("warm-up")) {
                    warmedUp = true;
                } else {
                    arrivals.add(new Arrival(Integer.parseInt(text), System.nanoTime()));
                }
            }
            delivery.ack();
        }

        @Override
        public synchronized void onGap(Gap gap) {
            gaps.add(gap);
        }

        synchronized boolean warmedUp() {
            return warmedUp;
        }

        synchronized int count() {
            return arrivals.size();
        }

        synchronized int highest() {
            return arrivals.stream().mapToInt(Arrival::number).max().orElse(-1);
        }

        synchronized List<Gap> gaps() {
            return List.copyOf(gaps);
        }

        synchronized Set<Integer> numbers() {
            Set<Integer> numbers = new TreeSet<>();
            arrivals.forEach(r -> numbers.add(r.number));
            return numbers;
        }

        synchronized int duplicates() {
            return arrivals.size() - numbers().size();
        }

        /** When the first message numbered {@code from} or later arrived. */
        synchronized long firstArrivalOf(int from) {
            return arrivals.stream().filter(r -> r.number >= from).mapToLong(Arrival::at).min().orElse(Long.MAX_VALUE);
        }

        /**
         * The places where consecutive deliveries skip numbers of {@code completed} publishes, each
         * as the numbers delivered before and after it (MAX_VALUE after: nothing delivered since).
         */
        synchronized List<int[]> holes(TreeSet<Integer> completed) {
            List<int[]> holes = new ArrayList<>();
            int previous = -1;
            for (Arrival r : arrivals) {
                if (!completed.subSet(previous, false, r.number, false).isEmpty()) {
                    holes.add(new int[] {previous, r.number});
                }
                previous = Math.max(previous, r.number);
            }
            if (!completed.tailSet(previous, false).isEmpty()) {
                holes.add(new int[] {previous, Integer.MAX_VALUE});
            }
            return holes;
        }

        synchronized void assertStrictlyIncreasing() {
            for (int i = 1; i < arrivals.size(); i++) {
                assertThat(arrivals.get(i).number).as("%s: delivery %d after %d, in publish order, once", name,
                        arrivals.get(i).number, arrivals.get(i - 1).number).isGreaterThan(arrivals.get(i - 1).number);
            }
        }

        /** At least once: a redelivery may repeat a message, but the first delivery of each is in publish order. */
        synchronized void assertFirstDeliveriesInPublishOrder() {
            List<Integer> firsts = new ArrayList<>(new LinkedHashSet<>(arrivals.stream().map(Arrival::number).toList()));
            for (int i = 1; i < firsts.size(); i++) {
                assertThat(firsts.get(i)).as("%s: first delivery of %d after that of %d, in publish order", name,
                        firsts.get(i), firsts.get(i - 1)).isGreaterThan(firsts.get(i - 1));
            }
        }

        void settle() {
            LockSupport.parkNanos(KitTimeouts.quiet().toNanos()); // the quiet period is what is waited for
        }
    }

    private static void await(BooleanSupplier condition, Duration limit, String what) {
        await(condition, limit, () -> what);
    }

    private static void await(BooleanSupplier condition, Duration limit, Supplier<String> what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what.get() + ": not within " + limit);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
