package dev.backplane.nats;

import static dev.backplane.nats.Opened.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The live subscriptions of a JetStream backplane read through one consumer ({@link StreamTail}):
 * the server's work per message does not grow with the number of channels subscribed.
 */
class JetStreamSharedConsumerTest extends NatsServerTest {

    private String uri() {
        return "jetstream://" + broker.address();
    }

    private int consumersOnTheServer() {
        try (Connection nats = Nats.connect("nats://" + broker.address())) {
            return nats.jetStreamManagement().getConsumerNames(opened.prefix()).size();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void fiftyLiveSubscriptionsOfOneBackplaneReadThroughOneConsumerAndEachGetsOnlyItsChannel() {
        Backplane a = opened.open(uri());
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            recorders.add(subscribe(a, "group-" + i));
        }
        assertThat(consumersOnTheServer()).isEqualTo(1);
        Backplane b = opened.open(uri());
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 50; i++) {
                await(b.publish("group-" + i, utf8(i + ":" + round)));
            }
        }
        for (int i = 0; i < 50; i++) {
            recorders.get(i).awaitCount(3);
            assertThat(recorders.get(i).texts()).containsExactly(i + ":0", i + ":1", i + ":2");
            assertThat(recorders.get(i).gaps()).isEmpty();
        }
        assertThat(((JetStreamBackplane) a).tail().subscriptionsHere()).isEqualTo(50);
    }

    @Test
    void aSlowSubscriptionLeavesForAConsumerOfItsOwnLosesNothingAndComesBackOnceCaughtUp() {
        Backplane a = opened.open(uri(), Map.of("maxUnacknowledged", "5"));
        StreamTail tail = ((JetStreamBackplane) a).tail();
        Recorder fast = subscribe(a, "fast");
        HeldSubscriber held = new HeldSubscriber();
        List<String> expected = new ArrayList<>();
        try {
            await(a.subscribe("slow", held));
            await(a.publish("slow", utf8("m0")));
            expected.add("m0");
            held.awaitHeld();
            for (int i = 1; i <= 100; i++) {
                await(a.publish("slow", utf8("m" + i)));
                await(a.publish("fast", utf8("f" + i)));
                expected.add("m" + i);
            }
            // The held subscriber keeps nobody else waiting: the other channel gets everything meanwhile.
            fast.awaitCount(100);
            awaitCondition(() -> tail.subscriptionsHere() == 1, "the held subscription reading on its own");
            assertThat(consumersOnTheServer()).as("the shared consumer and the slow subscription's").isEqualTo(2);
        } finally {
            held.release();
        }
        held.awaitEvent("m100"::equals, "m100");
        // Caught up, it comes back with the next message of its channel that finds it with room.
        int[] next = {101};
        awaitCondition(() -> {
            String text = "m" + next[0]++;
            await(a.publish("slow", utf8(text)));
            expected.add(text);
            held.awaitEvent(text::equals, text);
            return tail.subscriptionsHere() == 2;
        }, "the caught-up subscription back on the shared consumer");
        String last = "m" + next[0];
        await(a.publish("slow", utf8(last)));
        expected.add(last);
        held.awaitEvent(last::equals, last);
        assertThat(held.events()).as("everything, in order, once, no gap").containsExactlyElementsOf(expected);
        awaitCondition(() -> consumersOnTheServer() == 1, "its own consumer deleted");
    }

    @Test
    void aReplayReadsOnItsOwnThenJoinsTheSharedConsumerWithoutASeam() {
        Backplane a = opened.open(uri());
        for (int i = 0; i < 20; i++) {
            await(a.publish("replayed", utf8("old" + i)));
        }
        Recorder replaying = new Recorder("replayed", failures, true);
        await(a.subscribe("replayed", dev.backplane.Position.EARLIEST, replaying));
        replaying.awaitCount(20);
        List<String> expected = new ArrayList<>(replaying.texts());
        StreamTail tail = ((JetStreamBackplane) a).tail();
        int[] next = {0};
        awaitCondition(() -> {
            String text = "new" + next[0]++;
            await(a.publish("replayed", utf8(text)));
            expected.add(text);
            replaying.awaitCount(expected.size());
            return tail.subscriptionsHere() == 1;
        }, "the replay on the shared consumer");
        for (int i = 0; i < 20; i++) {
            String text = "after" + i;
            await(a.publish("replayed", utf8(text)));
            expected.add(text);
        }
        replaying.awaitCount(expected.size());
        assertThat(replaying.settle()).isEqualTo(expected.size());
        assertThat(replaying.texts()).containsExactlyElementsOf(expected);
        assertThat(replaying.gaps()).isEmpty();
    }

    @Test
    void liveSubscriptionsStayOnTheSharedConsumerAcrossABrokerRestartAndLoseNothingStored() {
        Backplane a = opened.open(uri());
        Backplane b = opened.open(uri());
        Recorder one = subscribe(a, "one");
        Recorder two = subscribe(a, "two");
        await(b.publish("one", utf8("before")));
        one.awaitCount(1);
        broker.stop();
        broker.start();
        await(b.publish("one", utf8("after")));
        await(b.publish("two", utf8("after")));
        one.awaitCount(2);
        two.awaitCount(1);
        assertThat(one.texts()).containsExactly("before", "after");
        assertThat(two.texts()).containsExactly("after");
        StreamTail tail = ((JetStreamBackplane) a).tail();
        awaitCondition(() -> tail.reading() && tail.subscriptionsHere() == 2, "both on the shared consumer");
    }

    private static void awaitCondition(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + KitTimeouts.delivery());
            }
            LockSupport.parkNanos(20_000_000);
        }
    }
}
