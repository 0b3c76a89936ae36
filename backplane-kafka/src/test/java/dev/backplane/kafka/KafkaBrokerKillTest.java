package dev.backplane.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.PublishOutcomeUnknownException;
import dev.backplane.brokers.kafka.KafkaBrokerProcess;
import dev.backplane.brokers.kafka.KafkaBrokers;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The broker killed with SIGKILL under a steady publish load, and started again: a publish fails
 * only if its publish timeout ran out while the broker was away, with an exception that says
 * whether it may have been stored; every acknowledged publish is delivered once, in order; and
 * publishing and delivering resume as soon as the broker is back. The broker runs in a child JVM
 * ({@link KafkaBrokerProcess}) so that it can be killed for real. The figures measured are printed.
 */
class KafkaBrokerKillTest extends KafkaBrokerTest {

    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);
    private static final int RATE_PER_SECOND = 1000;
    private static final List<String> CHANNELS = List.of("load-a", "load-b");

    private static KafkaBrokerProcess killable;

    @BeforeAll
    static void startBroker() {
        broker = killable = KafkaBrokers.process();
    }

    @AfterEach
    void startAgainIfKilled() {
        killable.start();
    }

    @Test
    void underSteadyLoadAPublishFailsOnlyIfItsTimeoutRanOutWhileTheBrokerWasAwayAndEveryAcknowledgedOneArrivesOnce() {
        Backplane publisher = kit.open("publishTimeout=" + PUBLISH_TIMEOUT.toMillis() + "ms");
        Backplane subscriber = kit.open("");
        Map<String, Recorder> received = new HashMap<>();
        Map<String, List<Long>> receivedAt = new HashMap<>();
        for (String channel : CHANNELS) {
            List<Long> times = new CopyOnWriteArrayList<>();
            Recorder r = new Recorder(channel, kit.failures, true);
            KafkaTestBackplanes.await(subscriber.subscribe(channel, d -> {
                times.add(System.nanoTime());
                r.onMessage(d);
            }));
            received.put(channel, r);
            receivedAt.put(channel, times);
        }
        Load load = new Load(publisher);
        load.start();
        // The timeline counts sends, at RATE_PER_SECOND: two seconds of load, the kill, two more
        // seconds before the restart begins, and after the broker is ready, the publish timeout and three seconds.
        load.awaitSent(2 * RATE_PER_SECOND);
        long killedAt = System.nanoTime();
        killable.kill();
        load.awaitSent(load.sent() + 2 * RATE_PER_SECOND);
        broker.start();
        long readyAt = System.nanoTime();
        CompletableFuture<Long> rawFirstAck = CompletableFuture.supplyAsync(() -> rawProducerFirstAck(kit.prefix()));
        load.awaitSent(load.sent() + (int) (PUBLISH_TIMEOUT.plusSeconds(3).toMillis() * RATE_PER_SECOND / 1000));
        List<Sent> sent = load.stop();

        Outage outage = new Outage(killedAt, readyAt);
        List<Sent> failed = sent.stream().filter(s -> s.failure() != null).toList();
        List<Sent> acknowledged = sent.stream().filter(s -> s.failure() == null).toList();
        long unknown = failed.stream().filter(s -> s.failure() instanceof PublishOutcomeUnknownException).count();
        long wholeTimeoutInside = failed.stream().filter(s -> s.calledAt() >= killedAt
                && s.calledAt() + PUBLISH_TIMEOUT.toNanos() <= readyAt).count();
        long couldHaveFailed = sent.stream().filter(s -> s.calledAt() >= killedAt
                && s.calledAt() + PUBLISH_TIMEOUT.toNanos() <= readyAt).count();
        Sent lastFailed = failed.stream().max((x, y) -> Long.compare(x.calledAt(), y.calledAt())).orElse(null);
        long firstAcknowledgedAfterReady = acknowledged.stream().mapToLong(Sent::settledAt).filter(t -> t >= readyAt)
                .min().orElse(Long.MAX_VALUE);
        long firstDeliveryAfterReady = receivedAt.values().stream().flatMap(List::stream).mapToLong(Long::longValue)
                .filter(t -> t >= readyAt).min().orElse(Long.MAX_VALUE);

        System.out.printf("kill under load: %d sends at %d/s on %d channels, publishTimeout %s; broker away %d ms "
                        + "(SIGKILL to ready); %d failed (%d outcome unknown, %d not sent), of which %d had their whole "
                        + "timeout inside the outage (of %d such sends); last failed send made %d ms after the kill "
                        + "(deadline %d ms after ready); broker ready to first acknowledgement %d ms, to first "
                        + "delivery %d ms; a new plain producer's first acknowledgement %d ms after ready%n",
                sent.size(), RATE_PER_SECOND, CHANNELS.size(), PUBLISH_TIMEOUT, outage.millis(), failed.size(), unknown,
                failed.size() - unknown, wholeTimeoutInside, couldHaveFailed,
                lastFailed == null ? -1 : millis(lastFailed.calledAt() - killedAt),
                lastFailed == null ? -1 : millis(lastFailed.calledAt() + PUBLISH_TIMEOUT.toNanos() - readyAt),
                millis(firstAcknowledgedAfterReady - readyAt), millis(firstDeliveryAfterReady - readyAt),
                millis(KafkaTestBackplanes.await(rawFirstAck) - readyAt));

        // A publish may fail only if its deadline came while the broker was away (or in the moment it
        // takes the clients to find it back), and it says why.
        long recovery = KitTimeouts.grace().toNanos();
        assertThat(failed).as("failed publishes whose deadline was not within the outage (SIGKILL %d ms after the "
                + "load started, ready %d ms later)", 2000, outage.millis())
                .allSatisfy(s -> assertThat(s.calledAt() + PUBLISH_TIMEOUT.toNanos())
                        .as("deadline of %s, failed with %s", s.text(), s.failure())
                        .isBetween(killedAt, readyAt + recovery));
        assertThat(failed).allSatisfy(s -> assertThat(s.failure()).isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining(broker.address()).hasMessageContaining("publishTimeout"));
        assertThat(failed).as("failed publishes that failed before their own publish timeout ran out")
                .allSatisfy(s -> assertThat(s.settledAt() - s.calledAt()).as("time %s took to fail", s.text())
                        .isGreaterThanOrEqualTo(PUBLISH_TIMEOUT.toNanos()));
        assertThat(failed).as("publishes held back while the broker was away fail as not sent")
                .anySatisfy(s -> assertThat(s.failure()).isExactlyInstanceOf(BrokerUnavailableException.class));
        assertThat(failed.stream().map(Sent::failure).filter(f -> !(f instanceof PublishOutcomeUnknownException)))
                .as("failures of publishes never handed to the producer say so, and why they waited")
                .allSatisfy(f -> assertThat(f.getMessage()).contains("not sent").containsAnyOf("held back",
                        "has no metadata for topic", "could not be looked up"));
        // Once it noticed, and until the broker was back, a lane hands over one probe at a time, each
        // held by the producer for a publish timeout. (Those handed over when the broker was back, and
        // unacknowledged at their deadline a moment later, fail as outcome unknown too.)
        long noticedBy = killedAt + KafkaPublisher.stallNanos(PUBLISH_TIMEOUT) + TimeUnit.MILLISECONDS.toNanos(500);
        long probes = CHANNELS.size() * (outage.millis() / PUBLISH_TIMEOUT.toMillis() + 2);
        assertThat(failed.stream().filter(s -> s.failure() instanceof PublishOutcomeUnknownException
                && s.calledAt() >= noticedBy && s.calledAt() + PUBLISH_TIMEOUT.toNanos() < readyAt).count())
                .as("outcome-unknown failures of publishes made once the backplane had noticed the outage, with "
                        + "their deadline before the broker was back (at most one probe per lane and publish timeout)")
                .isLessThanOrEqualTo(probes);
        assertThat(failed).as("publishes handed to the producer right after the kill, before the backplane noticed, "
                + "fail as outcome unknown").anySatisfy(s -> assertThat(s.failure())
                        .isInstanceOf(PublishOutcomeUnknownException.class)
                        .hasMessageContaining("may or may not have been published"));
        assertThat(acknowledged).as("publishes acknowledged after the restart").anyMatch(s -> s.calledAt() > readyAt);

        // Every acknowledged publish arrives exactly once, in the order of the calls; no failed one twice.
        for (String channel : CHANNELS) {
            Recorder r = received.get(channel);
            List<String> expected = acknowledged.stream().filter(s -> s.channel().equals(channel)).map(Sent::text)
                    .toList();
            r.awaitTexts(expected, KitTimeouts.recovery(), "acknowledged publishes to '" + channel + "' after the kill");
            r.settle();
            List<String> texts = r.texts();
            assertThat(new HashSet<>(texts)).as("deliveries of '%s', none twice", channel).hasSize(texts.size());
            Set<String> acked = new HashSet<>(expected);
            assertThat(texts.stream().filter(acked::contains).toList()).as("acknowledged publishes of '%s', in call "
                    + "order", channel).containsExactlyElementsOf(expected);
            Set<String> mayHaveArrived = new HashSet<>(acked);
            failed.stream().filter(s -> s.failure() instanceof PublishOutcomeUnknownException).map(Sent::text)
                    .forEach(mayHaveArrived::add);
            assertThat(texts).as("deliveries of '%s' that were neither acknowledged nor of unknown outcome", channel)
                    .allMatch(mayHaveArrived::contains);
            assertThat(r.gaps()).isEmpty();
        }
    }

    /**
     * When a producer of Kafka's defaults, made now, has its first record acknowledged: how soon
     * the restarted broker serves the topic at all, the baseline for the backplane's own recovery.
     * The record carries no backplane headers, so subscribers skip it.
     */
    private static long rawProducerFirstAck(String topic) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.address(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, new byte[] {1})).get(60, TimeUnit.SECONDS);
            return System.nanoTime();
        } catch (Exception e) {
            throw new AssertionError("a plain producer could not publish after the restart", e);
        }
    }

    private static long millis(long nanos) {
        return nanos == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private record Outage(long killedAt, long readyAt) {
        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(readyAt - killedAt);
        }
    }

    /** One publish: when it was called, when it settled, how. */
    private record Sent(String channel, String text, long calledAt, long settledAt, Position position,
            Throwable failure) {
    }

    /** Publishes at a fixed rate on a thread of its own, alternating the channels, and keeps every outcome. */
    private static final class Load {
        private final Backplane backplane;
        private final List<CompletableFuture<Sent>> outcomes = new ArrayList<>();
        private final long interval = TimeUnit.SECONDS.toNanos(1) / RATE_PER_SECOND;
        private final Thread thread = new Thread(this::run, "test-load");
        private volatile boolean stopping;
        private int count;

        Load(Backplane backplane) {
            this.backplane = backplane;
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        synchronized int sent() {
            return count;
        }

        /** Waits until {@code n} publishes were made; the load keeps its rate whatever the broker does. */
        synchronized void awaitSent(int n) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (count < n && System.nanoTime() < deadline) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            assertThat(count).as("publishes made by the load").isGreaterThanOrEqualTo(n);
        }

        /** Stops the load; returns every outcome, waiting for the last ones (each bounded by the publish timeout). */
        List<Sent> stop() {
            stopping = true;
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<CompletableFuture<Sent>> all;
            synchronized (this) {
                all = new ArrayList<>(outcomes);
            }
            List<Sent> settled = new ArrayList<>();
            for (CompletableFuture<Sent> outcome : all) {
                settled.add(KafkaTestBackplanes.await(outcome));
            }
            return settled;
        }

        private void run() {
            // When the thread falls behind (a busy machine), it catches up at once: the rate is kept on average.
            for (long next = System.nanoTime(); !stopping; next += interval) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                publishOne();
            }
        }

        private void publishOne() {
            int n;
            synchronized (this) {
                n = count;
            }
            String channel = CHANNELS.get(n % CHANNELS.size());
            String text = "m" + n;
            long calledAt = System.nanoTime();
            CompletableFuture<Sent> outcome = backplane.publish(channel, text.getBytes(StandardCharsets.UTF_8)).handle(
                    (position, error) -> new Sent(channel, text, calledAt, System.nanoTime(), position,
                            error instanceof CompletionException && error.getCause() != null ? error.getCause() : error));
            synchronized (this) {
                outcomes.add(outcome);
                count++;
                notifyAll();
            }
        }
    }
}
