package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Delivery;
import dev.backplane.Position;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The kit's recorder reports what it sees and loses nothing, also when a backplane calls it wrongly. */
class RecorderTest {

    private final AsyncFailures failures = new AsyncFailures();

    /** A delivery of {@code text} whose {@code channel()} waits on {@code inside} the first time it is asked. */
    private static Delivery delivery(String channel, String text, CountDownLatch entered, CountDownLatch release) {
        return new Delivery() {
            @Override
            public String channel() {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return channel;
            }

            @Override
            public byte[] payload() {
                return text.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public Position position() {
                return Position.NONE;
            }

            @Override
            public boolean redelivered() {
                return false;
            }

            @Override
            public void ack() {
            }
        };
    }

    private static Delivery delivery(String channel, String text) {
        return delivery(channel, text, new CountDownLatch(0), new CountDownLatch(0));
    }

    @Test
    void anOverlappingCallIsReportedAsAnOverlapAndBothMessagesAreKept() throws Exception {
        Recorder r = new Recorder("c", failures, true);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread first = new Thread(() -> r.onMessage(delivery("c", "first", entered, release)), "first-caller");
        first.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Throwable second = catchThrowable(() -> r.onMessage(delivery("c", "second")));
        release.countDown();
        first.join(10_000);
        assertThat(second).as("what the overlapping call threw").isNull();
        assertThat(r.texts()).containsExactlyInAnyOrder("first", "second");
        Throwable reported = catchThrowable(failures::rethrow);
        assertThat(reported).hasMessageContaining("called concurrently").hasMessageContaining("first-caller");
    }

    @Test
    void manyThreadsCallingAtOnceLoseNoMessageAndThrowNothing() throws Exception {
        Recorder r = new Recorder("c", failures, true);
        int threads = 8;
        int each = 2000;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Throwable> thrown = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread caller = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        r.onMessage(delivery("c", id + "-" + i));
                    }
                } catch (Throwable e) {
                    thrown.add(e);
                }
            });
            callers.add(caller);
            caller.start();
        }
        for (Thread caller : callers) {
            caller.join(30_000);
        }
        assertThat(thrown).as("what the recorder threw at its callers").isEmpty();
        assertThat(r.size()).as("messages recorded").isEqualTo(threads * each);
    }

    @Test
    void aDeliveryOfAnotherChannelIsReportedAndKept() {
        Recorder r = new Recorder("mine", failures, true);
        r.onMessage(delivery("other", "x"));
        assertThat(r.texts()).containsExactly("x");
        assertThat(catchThrowable(failures::rethrow)).hasMessageContaining("channel of a delivery to a subscription of 'mine'");
    }

    @Test
    void thePayloadIsCopiedOnReceipt() {
        Recorder r = new Recorder("c", failures, true);
        byte[] shared = "abc".getBytes(StandardCharsets.UTF_8);
        r.onMessage(new Delivery() {
            @Override
            public String channel() {
                return "c";
            }

            @Override
            public byte[] payload() {
                return shared;
            }

            @Override
            public Position position() {
                return Position.NONE;
            }

            @Override
            public boolean redelivered() {
                return false;
            }

            @Override
            public void ack() {
            }
        });
        shared[0] = '#';
        assertThat(r.texts()).containsExactly("abc");
    }

    @Test
    void longNamesArePrintedWithTheirRunsCounted() {
        assertThat(Quoted.name("x".repeat(200))).isEqualTo("'x' x 200");
        assertThat(Quoted.name("y" + "x".repeat(199))).isEqualTo("'y' + 'x' x 199");
        assertThat(Quoted.name("a.b")).isEqualTo("'a.b'");
        assertThat(Quoted.name("a\u0000b")).isEqualTo("'a\\u0000b'");
    }
}
