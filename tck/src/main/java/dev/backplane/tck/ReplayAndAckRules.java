package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Backplane;
import dev.backplane.Delivery;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Transport rules T21 to T28: replay from a position and acknowledgement. The replay rules assume
 * the backplane retains at least the last 1000 messages of a channel. Part of {@link BackplaneTck};
 * extend that class, not this one.
 */
public abstract class ReplayAndAckRules extends OutageRules {

    /** Most messages the replay rules publish to one channel. */
    public static final int MOST_MESSAGES_REPLAYED = 1000;

    @Test
    @DisplayName("T21 replay from a delivered position delivers exactly the later messages (exclusive, from the "
            + "position's stored form), then live ones; publish returns the position that is delivered "
            + "[needs replay]")
    void t21_replayFromPositionDeliversExactlyTheLaterMessages() {
        requireReplay("T21");
        Backplane a = open();
        Backplane b = open();
        Recorder live = subscribe(b, "replay");
        List<String> texts = numbered("m", 13);
        Map<String, Position> published = new LinkedHashMap<>();
        for (String text : texts.subList(0, 10)) {
            published.put(text, publish(a, "replay", text));
        }
        live.awaitTexts(texts.subList(0, 10), KitTimeouts.delivery(), "a message was not delivered");
        Map<String, Position> delivered = new LinkedHashMap<>();
        live.received().forEach(r -> delivered.putIfAbsent(r.text(), r.position()));
        published.forEach((text, position) -> assertThat(delivered.get(text))
                .as("position delivered with '%s' compared with the one its publish returned", text).isEqualTo(position));
        Position from = Position.of(delivered.get("m4").value());
        Recorder replayed = recorder("replay", true);
        await(a.subscribe("replay", from, replayed), "subscribe to 'replay' from the position of m4");
        replayed.awaitCount(5, "replay from the position of m4 did not deliver the 5 later retained messages");
        publishAll(a, "replay", texts.subList(10, 13));
        replayed.awaitCount(8, "after replaying, live messages were not delivered");
        quietPeriod();
        List<String> expected = texts.subList(5, 13);
        String meaning = "replay from the position of m4 delivers exactly m5 to m12: the later retained messages, "
                + "exclusive of m4 itself, then the live ones, each once";
        if (capabilities().orderedPerPublisher()) {
            assertThat(replayed.texts()).as(meaning + ", in order").containsExactlyElementsOf(expected);
        } else {
            assertThat(replayed.texts()).as(meaning).containsExactlyInAnyOrderElementsOf(expected);
        }
        replayed.received().stream().filter(r -> published.containsKey(r.text())).forEach(r -> assertThat(r.position())
                .as("position of the replayed '%s'", r.text()).isEqualTo(published.get(r.text())));
        assertThat(replayed.gaps()).as("gaps reported for a replay from a retained position").isEmpty();
    }

    @Test
    @DisplayName("T22 replay from EARLIEST delivers every retained message of the channel, then live ones "
            + "[needs replay]")
    void t22_replayFromEarliestDeliversEverythingRetained() {
        requireReplay("T22");
        Backplane a = open();
        Backplane b = open();
        List<String> texts = numbered("h", 12);
        for (String text : texts.subList(0, 10)) {
            publish(a, "history", text);
        }
        Recorder replayed = recorder("history", true);
        await(b.subscribe("history", Position.EARLIEST, replayed), "subscribe to 'history' from EARLIEST");
        replayed.awaitCount(10, "replay from EARLIEST did not deliver the 10 retained messages");
        publishAll(a, "history", texts.subList(10, 12));
        replayed.awaitCount(12, "after replaying from EARLIEST, live messages were not delivered");
        quietPeriod();
        String meaning = "replay from EARLIEST delivers every retained message, then the live ones, each once";
        if (capabilities().orderedPerPublisher()) {
            assertThat(replayed.texts()).as(meaning + ", in order").containsExactlyElementsOf(texts);
        } else {
            assertThat(replayed.texts()).as(meaning).containsExactlyInAnyOrderElementsOf(texts);
        }
        assertThat(replayed.gaps()).as("gaps reported for a replay from EARLIEST with nothing expired").isEmpty();
    }

    @Test
    @DisplayName("T23 replay/live seam: a replay started while another instance keeps publishing has no gap and "
            + "no duplicate where replay turns into live delivery [needs replay]")
    void t23_replaySeamHasNoGapAndNoDuplicate() {
        requireReplay("T23");
        Backplane a = open();
        Backplane b = open();
        Recorder live = subscribe(b, "seam");
        Recorder replayed = recorder("seam", true);
        AtomicInteger published = new AtomicInteger();
        AtomicInteger stopAt = new AtomicInteger(MOST_MESSAGES_REPLAYED);
        AtomicReference<Integer> seamAt = new AtomicReference<>();
        int from = 99;
        concurrently(List.of(() -> {
            // Paced, so that the replay subscription is made while messages keep coming.
            for (int i = 0; i < stopAt.get(); i++) {
                publish(a, "seam", "s" + i);
                published.incrementAndGet();
                sleep(Duration.ofMillis(1));
            }
        }, () -> {
            Recorder.Received mark = live.awaitText(t -> t.equals("s" + from), "s" + from);
            await(b.subscribe("seam", Position.of(mark.position().value()), replayed),
                    "subscribe to 'seam' from the position of s" + from);
            seamAt.set(published.get());
            stopAt.set(Math.min(MOST_MESSAGES_REPLAYED, published.get() + 50));
        }));
        int total = published.get();
        List<String> expected = new ArrayList<>();
        for (int i = from + 1; i < total; i++) {
            expected.add("s" + i);
        }
        replayed.awaitTexts(expected, KitTimeouts.delivery(), "gap where replay turned into live delivery (the "
                + "replay subscription was made after s" + seamAt.get() + " of " + total + " was published)");
        quietPeriod();
        List<String> duplicates = new ArrayList<>(replayed.texts());
        expected.forEach(duplicates::remove);
        assertThat(duplicates).as("deliveries beyond s%d to s%d once each on the replay subscription (duplicates or "
                + "messages before the position at the seam)", from + 1, total - 1).isEmpty();
        if (capabilities().orderedPerPublisher()) {
            assertThat(replayed.texts()).as("order of replayed then live messages").containsExactlyElementsOf(expected);
        }
    }

    @Test
    @DisplayName("T24 replay refuses a position this transport did not produce (garbage, NONE, another transport's "
            + "form) at the call with IllegalArgumentException [needs replay]")
    void t24_replayRefusesForeignPositions() {
        requireReplay("T24");
        Backplane a = open();
        Recorder r = recorder("foreign", true);
        List<Position> foreign = new ArrayList<>();
        for (String value : List.of("not-a-position", "garbage:garbage:garbage", "\u00e9\u00e9", "-1", "1-2-3-4",
                "99999999999999999999999999", "0x1F")) {
            foreign.add(Position.of(value));
        }
        foreign.add(Position.NONE);
        for (Position position : foreign) {
            Throwable thrown = catchThrowable(() -> a.subscribe("foreign", position, r));
            assertThat(thrown).as("subscribe from %s, a position this transport never produced, must be refused at the "
                    + "call with IllegalArgumentException, not replayed from somewhere", position)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(thrown.getMessage()).as("message of the refusal of %s", position).isNotBlank();
        }
        publish(a, "foreign", "after");
        quietPeriod();
        assertThat(r.size()).as("deliveries to subscriptions that were refused").isZero();
    }

    @Test
    @DisplayName("T25 without replay, subscribe from a position throws UnsupportedOperationException naming the "
            + "transport, and subscribes nothing [needs replay=false]")
    void t25_replayNotDeclaredIsRefused() {
        requireCapabilityAbsent(capabilities().replay(), "T25", "replay");
        Backplane a = open();
        Recorder r = recorder("noreplay", true);
        for (Position position : List.of(Position.EARLIEST, Position.of("1"))) {
            Throwable thrown = catchThrowable(() -> a.subscribe("noreplay", position, r));
            assertThat(thrown).as("subscribe from %s where capabilities declare replay=false", position)
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThat(thrown.getMessage()).as("message of the refusal: it names the transport")
                    .contains(capabilities().transport());
        }
        publish(a, "noreplay", "after");
        quietPeriod();
        assertThat(r.size()).as("deliveries to a subscriber whose subscribe from a position was refused").isZero();
    }

    @Test
    @DisplayName("T26 ack, at-least-once: an unacknowledged delivery comes again after ackTimeout flagged "
            + "redelivered(), with its original bytes even if the handler wrote over its array; an acknowledged one "
            + "never does; the next new message is not flagged [needs guarantee=AT_LEAST_ONCE]")
    void t26_atLeastOnceRedeliversOnlyWhatIsNotAcknowledged() {
        requireAtLeastOnce("T26");
        Backplane a = open();
        Backplane b = openWithShortAckTimeout();
        Recorder r = recorder("ack", false);
        subscribe(b, "ack", (Subscriber) d -> {
            r.onMessage(d);
            String text = new String(d.payload(), StandardCharsets.UTF_8);
            if (text.equals("acked") || text.equals("fresh")) {
                d.ack();
                // Idempotent and callable from any thread.
                CompletableFuture.runAsync(d::ack).join();
            } else if (d.redelivered()) {
                d.ack();
            } else {
                // The array belongs to the receiver: writing over it must not change the redelivery.
                java.util.Arrays.fill(d.payload(), (byte) '#');
            }
        });
        publish(a, "ack", "kept");
        publish(a, "ack", "acked");
        long deadline = System.nanoTime() + KitTimeouts.ack().plus(KitTimeouts.delivery()).toNanos();
        while (redeliveriesExceptOf(r, "acked").isEmpty() && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(20));
        }
        List<String> redelivered = redeliveriesExceptOf(r, "acked");
        assertThat(redelivered).as("redeliveries of a message never acknowledged, within ackTimeout %s + %s (an "
                + "unacknowledged delivery must be delivered again)", KitTimeouts.ack(), KitTimeouts.delivery())
                .isNotEmpty();
        assertThat(redelivered.get(0)).as("payload of the redelivery of 'kept', whose handler wrote '#' over the array "
                + "of its first delivery (a redelivery carries the bytes that were published: the array handed out "
                + "belongs to the receiver)").isEqualTo("kept");
        publish(a, "ack", "fresh");
        r.awaitTexts(List.of("fresh"), KitTimeouts.delivery(), "a message published after a redelivery was not "
                + "delivered");
        sleep(KitTimeouts.ack().multipliedBy(2).plus(KitTimeouts.quiet()));
        List<Recorder.Received> kept = r.received().stream().filter(x -> x.text().equals("kept")).toList();
        assertThat(kept).extracting(Recorder.Received::redelivered)
                .as("redelivered() of the first delivery of a message and of its redelivery (acknowledged), which "
                        + "must not come a third time").containsExactly(false, true);
        assertThat(r.received().stream().filter(x -> x.text().equals("acked")).map(Recorder.Received::redelivered))
                .as("deliveries of a message acknowledged on its first delivery: an acknowledged delivery came again")
                .containsExactly(false);
        assertThat(r.received().stream().filter(x -> x.text().equals("fresh")).map(Recorder.Received::redelivered))
                .as("redelivered() of the first delivery of a new message after a redelivery (a new message is "
                        + "never flagged redelivered)").containsExactly(false);
    }

    private static List<String> redeliveriesExceptOf(Recorder r, String text) {
        return r.received().stream().filter(x -> x.redelivered() && !x.text().equals(text))
                .map(Recorder.Received::text).toList();
    }

    @Test
    @DisplayName("T27 ack, at-most-once: ack() is a harmless no-op and nothing is redelivered, acknowledged or not "
            + "[needs guarantee=AT_MOST_ONCE]")
    void t27_atMostOnceNeverRedelivers() {
        requireAtMostOnce("T27");
        Backplane a = open();
        Backplane b = openWithShortAckTimeout();
        Recorder r = recorder("noack", false);
        List<Delivery> deliveries = Collections.synchronizedList(new ArrayList<>());
        subscribe(b, "noack", (Subscriber) d -> {
            deliveries.add(d);
            r.onMessage(d);
        });
        publish(a, "noack", "unacknowledged");
        r.awaitCount(1, "a message was not delivered");
        sleep(KitTimeouts.ack().multipliedBy(2).plus(KitTimeouts.quiet()));
        assertThat(r.received()).extracting(Recorder.Received::redelivered)
                .as("deliveries of a message never acknowledged on an at-most-once transport (it must not come again)")
                .containsExactly(false);
        Delivery d = deliveries.get(0);
        assertThat(catchThrowable(() -> {
            d.ack();
            d.ack();
        })).as("ack() on an at-most-once delivery, twice").isNull();
    }

    @Test
    @DisplayName("T28 ack, at-least-once: an acknowledged delivery never comes again, even when the subscriber's "
            + "backlog outlasts ackTimeout (the timeout counts from hand-over, not from queueing) "
            + "[needs guarantee=AT_LEAST_ONCE]")
    void t28_ackTimeoutCountsFromHandOverNotFromQueueing() {
        requireAtLeastOnce("T28");
        Backplane a = open();
        Backplane b = openWithShortAckTimeout();
        Recorder r = recorder("backlog", false);
        Duration slow = KitTimeouts.ack().multipliedBy(2);
        subscribe(b, "backlog", (Subscriber) d -> {
            r.onMessage(d);
            if (!d.redelivered() && new String(d.payload(), StandardCharsets.UTF_8).equals("slow")) {
                // The later messages queue up behind this one for longer than the ack timeout.
                sleep(slow);
            }
            d.ack();
        });
        List<String> queued = numbered("q", 5);
        publish(a, "backlog", "slow");
        publishAll(a, "backlog", queued);
        r.awaitTexts(queued, slow.plus(KitTimeouts.delivery()), "a message queued behind a slow one was not delivered");
        sleep(KitTimeouts.ack().multipliedBy(2).plus(KitTimeouts.quiet()));
        assertThat(r.count("slow")).as("deliveries of the slow message").isGreaterThanOrEqualTo(1);
        for (String text : queued) {
            assertThat(r.received().stream().filter(x -> x.text().equals(text)).map(Recorder.Received::redelivered))
                    .as("deliveries of '%s', acknowledged as soon as it was handed over after waiting %s behind a "
                            + "slow message: an acknowledged delivery came again (the ack timeout %s must count from "
                            + "hand-over, not from queueing)", text, slow, KitTimeouts.ack())
                    .containsExactly(false);
        }
    }
}
