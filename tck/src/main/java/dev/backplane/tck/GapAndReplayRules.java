package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Transport rules T46 to T50: losses of history reported as gaps, replay from the newest
 * position, one subscriber in two subscriptions, and acknowledgements that come late. Part of {@link BackplaneTck}; extend that
 * class, not this one.
 */
public abstract class GapAndReplayRules extends RestartRules {

    /** The retention the gap rules ask for, in messages per channel. */
    public static final int LIMITED_RETENTION = 10;

    /**
     * Options under which the backplane keeps only about the newest {@code messages} messages of a
     * channel for a subscriber: in the broker's history (a replay transport) or in a subscription's
     * backlog (a transport without history). Trimming may be approximate. Empty (the default)
     * where the transport cannot be configured so: T46 is then skipped and T47 runs with the
     * default retention.
     */
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return Optional.empty();
    }

    @Test
    @DisplayName("T46 replay beyond retention: subscribing from a position whose successors are no longer retained "
            + "reports one onGap naming the channel before the first delivery, then replays what is retained, each "
            + "once, then live messages; a subscriber whose onGap throws keeps receiving [needs replay, "
            + "limitedRetention]")
    void t46_replayFromAnExpiredPositionReportsAGap() {
        Map<String, String> retention = limitedRetention(LIMITED_RETENTION).orElse(null);
        Assumptions.assumeTrue(retention != null, "T46 needs limitedRetention(" + LIMITED_RETENTION + ") to say which "
                + "options make the backplane forget old messages; it returns none, so the rule does not run");
        // The first backplane of the prefix is opened with the limited retention: a transport that
        // creates its broker-side store on first use creates it with these options.
        Backplane a = open(prefix(), retention);
        requireCapability(a.capabilities().replay(), "T46", "replay=true", "replay=false");
        Backplane b = open(prefix(), retention);
        List<String> texts = numbered("e-", 300);
        List<Position> positions = publishAll(a, "expired", texts);
        Recorder r = recorder("expired", true);
        await(b.subscribe("expired", Position.of(positions.get(1).value()), OutageRules.throwingOnGap(r)),
                "subscribe to 'expired' from the position of e-1");
        r.awaitGap("replay from the position of e-1 of 300 messages, with retention limited by " + retention + ", did "
                + "not report onGap for the messages no longer retained");
        r.awaitTexts(List.of("e-299"), KitTimeouts.delivery(), "after reporting the gap to a subscriber whose onGap "
                + "throws, the replay did not deliver the newest retained message (a subscriber whose onGap threw "
                + "stopped receiving, or the replay skipped what is retained)");
        publish(a, "expired", "live");
        r.awaitTexts(List.of("live"), KitTimeouts.delivery(), "after the replay, a live message was not delivered (a "
                + "subscriber whose onGap threw stopped receiving)");
        quietPeriod();
        assertThat(r.gaps()).extracting(Gap::channel).as("gaps reported for one replay from an expired position: "
                + "exactly one, naming the channel").containsExactly("expired");
        assertThat(r.deliveriesBeforeEachGap()).as("deliveries before the gap was reported (it comes before the first "
                + "replayed message)").containsExactly(0);
        List<String> replayed = r.texts().stream().filter(t -> !t.equals("live")).toList();
        assertThat(replayed.size()).as("messages replayed of 300 with retention limited by %s (the options did not "
                + "limit retention, so the rule checks nothing)", retention).isLessThan(298);
        List<String> newest = texts.subList(texts.size() - replayed.size(), texts.size());
        if (capabilities().orderedPerPublisher()) {
            assertThat(replayed).as("messages replayed after the gap: the newest retained ones, each once, in order")
                    .containsExactlyElementsOf(newest);
        } else {
            assertThat(replayed).as("messages replayed after the gap: the newest retained ones, each once")
                    .containsExactlyInAnyOrderElementsOf(newest);
        }
    }

    @Test
    @DisplayName("T47 slow subscriber: a subscriber held up while 2000 messages are published receives each of them "
            + "once, or is told of what it lost with onGap; nothing is lost silently")
    void t47_aSlowSubscriberLosesNothingSilently() {
        Map<String, String> retention = limitedRetention(LIMITED_RETENTION).orElse(Map.of());
        Backplane a = open(prefix(), retention);
        Backplane b = open(prefix(), retention);
        Recorder r = recorder("slow", true);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        subscribe(b, "slow", new Subscriber() {
            @Override
            public void onMessage(dev.backplane.Delivery delivery) {
                r.onMessage(delivery);
                if (held.getCount() > 0) {
                    held.countDown();
                    try {
                        release.await(KitTimeouts.delivery().multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void onGap(Gap gap) {
                r.onGap(gap);
            }
        });
        publish(a, "slow", "first");
        awaitLatch(held, "the first message was not delivered");
        List<String> burst = numbered("s-", 2000);
        publishAll(a, "slow", burst);
        // The transport's delivery path fills whatever backlog it keeps while the subscriber is held.
        sleep(KitTimeouts.quiet().multipliedBy(4));
        release.countDown();
        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
        int seen = -1;
        while (System.nanoTime() < deadline && !r.texts().containsAll(burst)) {
            if (!r.gaps().isEmpty() && r.size() == seen) {
                break; // a loss was reported and nothing more is coming
            }
            seen = r.size();
            quietPeriod();
        }
        quietPeriod();
        Set<String> missing = new LinkedHashSet<>(burst);
        r.texts().forEach(missing::remove);
        if (!missing.isEmpty()) {
            assertThat(r.gaps()).as("gaps reported to a subscriber that lost %d of 2000 messages published while it "
                    + "was held up (first missing: %s); a loss must be reported with onGap, never silent",
                    missing.size(), missing.stream().limit(5).toList()).isNotEmpty();
            assertThat(r.gaps()).extracting(Gap::channel).as("channels of the gaps reported").containsOnly("slow");
        }
        List<String> twice = new ArrayList<>(r.texts());
        new LinkedHashSet<>(r.texts()).forEach(twice::remove);
        assertThat(twice).as("messages delivered more than once to a slow subscriber that acknowledged each").isEmpty();
    }

    @Test
    @DisplayName("T48 replay from the newest position delivers only what is published after it, every time: "
            + "nothing of the message at that position [needs replay]")
    void t48_replayFromTheNewestPositionDeliversOnlyLaterMessages() {
        requireReplay("T48");
        Backplane a = open();
        Backplane b = open();
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Position newest = publish(a, "newest", "n-" + i);
            Recorder r = recorder("newest", true);
            Subscription s = await(b.subscribe("newest", Position.of(newest.value()), r),
                    "subscribe to 'newest' from the position of n-" + i + ", the newest message");
            publish(a, "newest", "after-" + i);
            r.awaitTexts(List.of("after-" + i), KitTimeouts.delivery(), "a replay from the newest position did not "
                    + "deliver the message published after it");
            s.close();
            recorders.add(r);
        }
        quietPeriod();
        for (int i = 0; i < recorders.size(); i++) {
            assertThat(recorders.get(i).texts()).as("deliveries to a subscription from the position of n-%d, the newest "
                    + "message, closed once after-%d had come (the message at the position itself, or one before it, "
                    + "must not be replayed)", i, i).containsExactly("after-" + i);
        }
    }

    @Test
    @DisplayName("T49 one subscriber, two subscriptions: the same Subscriber object subscribed twice to a channel gets "
            + "each message twice, and closing one of the subscriptions leaves the other")
    void t49_oneSubscriberSubscribedTwiceIsTwoSubscriptions() {
        Backplane a = open();
        Backplane b = open();
        Recorder r = recorder("twice", true);
        // One object in both subscriptions; the two may call it at the same time (only calls for one
        // subscription never overlap), so it lets one call at a time into the recorder.
        Subscriber shared = new Subscriber() {
            @Override
            public synchronized void onMessage(dev.backplane.Delivery delivery) {
                r.onMessage(delivery);
            }
        };
        Subscription first = subscribe(a, "twice", shared);
        subscribe(a, "twice", shared);
        publish(b, "twice", "both");
        r.awaitCount(2, "a Subscriber subscribed twice to a channel did not get a message once per subscription "
                + "(the transport keys subscriptions by their subscriber)");
        first.close();
        publish(b, "twice", "one");
        r.awaitTexts(List.of("one"), KitTimeouts.delivery(), "closing one of two subscriptions of the same Subscriber "
                + "closed the other too (the transport keys subscriptions by their subscriber)");
        quietPeriod();
        assertThat(r.texts()).as("deliveries to a Subscriber subscribed twice, then once: each message once per "
                + "subscription (the transport keys subscriptions by their subscriber)")
                .containsExactlyInAnyOrder("both", "both", "one");
    }

    @Test
    @DisplayName("T50 late acknowledgement: ack() of a delivery after its subscription was closed, and after its "
            + "backplane was closed, returns quietly")
    void t50_lateAcknowledgementIsHarmless() {
        Backplane a = open();
        Backplane b = open();
        List<dev.backplane.Delivery> held = java.util.Collections.synchronizedList(new ArrayList<>());
        Recorder r = recorder("late", false);
        Subscription subscription = subscribe(b, "late", (Subscriber) d -> {
            held.add(d); // before the recorder, which lets the test go on
            r.onMessage(d);
        });
        publishAll(a, "late", List.of("one", "two"));
        r.awaitCount(2, "a message was not delivered");
        subscription.close();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(held.get(0)::ack))
                .as("ack() of a delivery after its subscription was closed (a handler that finishes late must not "
                        + "fail)").isNull();
        b.close();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(held.get(1)::ack))
                .as("ack() of a delivery after its backplane was closed (a handler that finishes during shutdown "
                        + "must not fail)").isNull();
    }
}
