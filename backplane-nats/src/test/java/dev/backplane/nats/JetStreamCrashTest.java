package dev.backplane.nats;

import static dev.backplane.nats.Opened.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.PublishOutcomeUnknownException;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * JetStream on a server of the test's own: killed with SIGKILL while messages flow, and watched
 * through its monitoring port.
 */
class JetStreamCrashTest extends OwnNatsServerTest {

    private String uri() {
        return "jetstream://" + server.address();
    }

    @Test
    void deliveriesThatSkipOtherChannelsSequencesAskTheServerNothing() {
        Backplane a = opened.open(uri());
        Recorder one = new Recorder("one", failures, true);
        await(a.subscribe("one", one));
        await(a.publish("one", utf8("first")));
        one.awaitCount(1);
        long before = server.apiRequests();
        for (int i = 0; i < 30; i++) {
            await(a.publish("two", utf8("x" + i)));
            await(a.publish("one", utf8("m" + i)));
            one.awaitCount(i + 2);
        }
        long made = server.apiRequests() - before;
        assertThat(made).as("JetStream API requests made while 30 deliveries each skipped another channel's "
                + "stream sequence (the default retention cannot have removed anything)").isLessThanOrEqualTo(2);
        assertThat(one.gaps()).isEmpty();
    }

    @Test
    void aQuietSubscriptionKeepsItsConsumerAsTheServerSignalsItsPullRequestAlive() {
        Backplane a = opened.open(uri());
        Recorder quiet = new Recorder("quiet", failures, true);
        await(a.subscribe("quiet", quiet));
        await(a.publish("quiet", utf8("first")));
        quiet.awaitCount(1);
        long before = server.apiRequests();
        // Longer than the silence after which a pull request counts as dead, twice the liveness check.
        sleepMillis(10_000);
        assertThat(server.apiRequests() - before).as("JetStream API requests of a quiet subscription in 10 s "
                + "(a new consumer would be one)").isZero();
        await(a.publish("quiet", utf8("second")));
        quiet.awaitCount(2);
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis); // the quiet time is the behaviour under test
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void acrossABrokerKillPublishesKeepTheirOrderAndNothingAcknowledgedIsLostOrReportedAsAGap() throws Exception {
        Backplane publisher = opened.open(uri(), Map.of("publishTimeout", "20s"));
        Backplane subscriberNode = opened.open(uri());
        Recorder received = new Recorder("order", failures, true);
        await(subscriberNode.subscribe("order", received));
        int total = 3000;
        List<CompletableFuture<Position>> sent = new CopyOnWriteArrayList<>();
        Thread sender = new Thread(() -> {
            for (int i = 0; i < total; i++) {
                if (i >= 100) {
                    sent.get(i - 100).exceptionally(e -> null).join(); // at most 100 in flight
                }
                sent.add(publisher.publish("order", utf8(Integer.toString(i))));
            }
        }, "test-sender");
        sender.start();
        while (received.size() < 500) {
            received.awaitCount(received.size() + 1);
        }
        server.kill();
        server.start();
        sender.join(Duration.ofSeconds(60).toMillis());
        assertThat(sender.isAlive()).as("the sender finished").isFalse();

        List<Integer> acknowledged = new ArrayList<>();
        List<Integer> notSent = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            CompletableFuture<Position> f = sent.get(i);
            Opened.awaitDone(f, Duration.ofSeconds(20).plus(KitTimeouts.grace()));
            try {
                f.join();
                acknowledged.add(i);
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof PublishOutcomeUnknownException)
                        && e.getCause() instanceof BrokerUnavailableException) {
                    notSent.add(i);
                }
            }
        }
        int last = acknowledged.get(acknowledged.size() - 1);
        received.awaitText(Integer.toString(last)::equals, "the last acknowledged message");
        received.settle();
        List<Integer> numbers = received.texts().stream().map(Integer::parseInt).toList();
        for (int i = 1; i < numbers.size(); i++) {
            assertThat(numbers.get(i)).as("delivery %d comes after %d: in publish order, once", numbers.get(i),
                    numbers.get(i - 1)).isGreaterThan(numbers.get(i - 1));
        }
        assertThat(numbers).as("every acknowledged publish is delivered").containsAll(acknowledged);
        assertThat(numbers).as("no publish reported as not sent is delivered").noneMatch(notSent::contains);
        assertThat(received.gaps()).as("gaps reported although nothing was lost").isEmpty();
    }
}
