package dev.backplane.kafka;

import static dev.backplane.kafka.KafkaTestBackplanes.await;
import static dev.backplane.kafka.KafkaTestBackplanes.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneException;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What becomes of the thread that reads for a backplane's subscriptions when something goes
 * wrong in it: it goes on after an interrupt, starts a new consumer after a failure, and when it
 * cannot, every subscribe fails at once saying why instead of waiting for ever.
 */
class KafkaReceiverRecoveryTest extends KafkaBrokerTest {

    @BeforeAll
    static void openBroker() {
        broker = Brokers.kafka();
    }

    @Test
    void anInterruptedReceiverThreadGoesOnDeliveringAndSubscribing() {
        Backplane a = kit.open("");
        Backplane b = kit.open("");
        Recorder before = kit.subscribe(b, "before");
        publish(a, "before", "b0");
        before.awaitCount(1);

        List<Thread> interrupted = interruptReceiverThreads();
        assertThat(interrupted).as("receiver threads of the test's backplanes").isNotEmpty();

        Recorder after = kit.subscribe(b, "after");
        publish(a, "before", "b1");
        publish(a, "after", "a0");
        assertThat(before.awaitCount(2)).extracting(Recorder.Received::text).containsExactly("b0", "b1");
        assertThat(after.awaitCount(1)).extracting(Recorder.Received::text).containsExactly("a0");
        assertThat(interrupted).allMatch(Thread::isAlive);
    }

    @Test
    void aReceiverThatFailsStartsANewConsumerWhereItsSubscriptionsStood() {
        Crash crash = new Crash();
        AtomicInteger made = new AtomicInteger();
        Backplane a = kit.open("");
        Backplane b = open(config -> {
            made.incrementAndGet();
            return new CrashingConsumer(config, crash);
        });
        Recorder r = kit.subscribe(b, "steady");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            publish(a, "steady", "m" + i);
            expected.add("m" + i);
        }
        r.awaitCount(10);
        crash.arm();
        for (int i = 10; i < 20; i++) {
            publish(a, "steady", "m" + i);
            expected.add("m" + i);
        }
        assertThat(r.awaitCount(20)).extracting(Recorder.Received::text).containsExactlyElementsOf(expected);
        assertThat(crash.happened()).as("the injected failure happened").isTrue();
        assertThat(made).as("consumers made: the first and the one after the failure").hasValue(2);

        Recorder later = kit.subscribe(b, "later");
        publish(a, "later", "x");
        assertThat(later.awaitCount(1)).extracting(Recorder.Received::text).containsExactly("x");
        assertThat(r.settle()).as("deliveries of 'steady', none twice").isEqualTo(20);
    }

    @Test
    void aReceiverThatCannotStartAgainFailsEverySubscribeAtOnceSayingWhy() {
        Crash crash = new Crash();
        AtomicInteger made = new AtomicInteger();
        Backplane b = open(config -> {
            if (made.incrementAndGet() > 1) {
                throw new KafkaException("injected: no more consumers");
            }
            return new CrashingConsumer(config, crash);
        });
        kit.subscribe(b, "first");
        crash.arm();
        assertThat(crash.happened()).as("the receiver polled and failed").isTrue();

        Throwable waiting = catchThrowable(() -> await(b.subscribe("second", new Recorder("second", kit.failures, true))));
        assertThat(waiting).as("a subscribe made while the receiver tried to start again")
                .isInstanceOf(BackplaneException.class).hasMessageContaining("stopped after failing")
                .hasMessageContaining("open a new one");

        long start = System.nanoTime();
        Throwable later = catchThrowable(() -> b.subscribe("third", new Recorder("third", kit.failures, true))
                .get(KitTimeouts.grace().toMillis(), TimeUnit.MILLISECONDS));
        assertThat(later).as("a subscribe once the receiver stopped").hasCauseInstanceOf(BackplaneException.class);
        assertThat(later.getCause()).hasMessageContaining("stopped after failing").hasMessageContaining("no more consumers");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(KitTimeouts.grace());
        assertThat(await(b.publish("first", new byte[] {1}))).as("publishing does not need the receiver").isNotNull();
    }


    private Backplane open(Function<Map<String, Object>, Consumer<String, byte[]>> consumers) {
        KafkaSettings settings = KafkaSettings.of(BackplaneConfig.of(URI.create(kit.uri("")), Map.of()));
        return kit.closeAfterTest(new KafkaBackplane(settings, consumers));
    }

    /** Interrupts the receiver threads of this test's backplanes; returns them. */
    private List<Thread> interruptReceiverThreads() {
        List<Thread> threads = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("backplane-kafka-" + kit.prefix() + "-consumer")) {
                t.interrupt();
                threads.add(t);
            }
        }
        return threads;
    }

    /** One failure to inject into the receiver's next poll. */
    private static final class Crash {
        private final AtomicBoolean armed = new AtomicBoolean();
        private final CountDownLatch happened = new CountDownLatch(1);

        void arm() {
            armed.set(true);
        }

        /** Throws, once armed, in the poll that takes it. */
        void maybeFail() {
            if (armed.compareAndSet(true, false)) {
                happened.countDown();
                throw new AssertionError("injected failure of the receiver's poll");
            }
        }

        /** Whether it happened, waiting for it up to the kit's delivery timeout. */
        boolean happened() {
            try {
                return happened.await(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** A real consumer whose poll fails once {@code crash} is armed. */
    private static final class CrashingConsumer extends KafkaConsumer<String, byte[]> {
        private final Crash crash;

        CrashingConsumer(Map<String, Object> config, Crash crash) {
            super(config, new StringDeserializer(), new ByteArrayDeserializer());
            this.crash = crash;
        }

        @Override
        public ConsumerRecords<String, byte[]> poll(Duration timeout) {
            crash.maybeFail();
            return super.poll(timeout);
        }
    }
}
