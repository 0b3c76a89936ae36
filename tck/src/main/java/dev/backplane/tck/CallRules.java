package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Backplane;
import dev.backplane.Channels;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Transport rules T09 to T16: what each call accepts and refuses, when a subscription starts and
 * stops, what a publish acknowledgement promises, and what close does. Part of
 * {@link BackplaneTck}; extend that class, not this one.
 */
public abstract class CallRules extends DeliveryRules {

    /** Above this declared maximum the kit cannot allocate max+1 bytes to check T11, and skips it. */
    public static final int LARGEST_OVERSIZE_CHECKED = 64 << 20;

    static List<String> illegalChannelNames() {
        return List.of("", "x".repeat(Channels.MAX_CHANNEL_LENGTH + 1), "a b", " a", "a ", "a*", "*", ">", "a.>",
                "a.*", ".a", "a.", "a..b", "..", ".", "a/b", "a#b", "a\u00e4", "a\nb", "a\tb", "a,b", "a\u0000b");
    }

    @Test
    @DisplayName("T09 illegal channel names (empty, too long, space, *, >, leading or trailing '.', '..', other "
            + "characters) are refused at the call by publish and both forms of subscribe")
    void t09_illegalChannelNamesAreRefusedAtTheCall() {
        Backplane a = open();
        Recorder r = recorder("never", true);
        boolean replay = capabilities().replay();
        for (String name : illegalChannelNames()) {
            assertRefusedName(() -> a.publish(name, utf8("x")), "publish", name, false);
            assertRefusedName(() -> a.subscribe(name, r), "subscribe", name, false);
            // Without replay, refusing the position form for lack of replay is refusing it too.
            assertRefusedName(() -> a.subscribe(name, Position.EARLIEST, r), "subscribe from a position", name, !replay);
        }
        assertThat(r.size()).as("deliveries to subscriptions that were refused").isZero();
    }

    private static void assertRefusedName(ThrowingCallable call, String what, String name, boolean unsupportedToo) {
        Throwable thrown = catchThrowable(call);
        String shown = Quoted.name(name);
        if (unsupportedToo && thrown instanceof UnsupportedOperationException) {
            return;
        }
        assertThat(thrown).as("%s with the illegal channel name %s must be refused at the call with "
                + "IllegalArgumentException, not accepted, nor failed later through the future", what, shown)
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(thrown.getMessage()).as("message of the refusal of %s to %s", what, shown).isNotBlank();
        if (!name.isEmpty() && name.length() <= 40) {
            assertThat(thrown.getMessage()).as("message of the refusal of %s: it names the channel", what)
                    .contains(name);
        }
    }

    @Test
    @DisplayName("T10 null arguments (channel, payload, subscriber, position) are refused at the call with "
            + "NullPointerException naming the argument")
    void t10_nullArgumentsAreRefusedAtTheCall() {
        Backplane a = open();
        Recorder r = recorder("nulls", true);
        assertRefusedNull(() -> a.publish(null, utf8("x")), "publish(null, payload)", "channel");
        assertRefusedNull(() -> a.publish("nulls", null), "publish(channel, null)", "payload");
        assertRefusedNull(() -> a.subscribe(null, r), "subscribe(null, subscriber)", "channel");
        assertRefusedNull(() -> a.subscribe("nulls", null), "subscribe(channel, null)", "subscriber");
        if (capabilities().replay()) {
            assertRefusedNull(() -> a.subscribe(null, Position.EARLIEST, r), "subscribe(null, from, subscriber)", "channel");
            assertRefusedNull(() -> a.subscribe("nulls", null, r), "subscribe(channel, null, subscriber)", "from");
            assertRefusedNull(() -> a.subscribe("nulls", Position.EARLIEST, null), "subscribe(channel, from, null)",
                    "subscriber");
        }
        publish(a, "nulls", "after");
        quietPeriod();
        assertThat(r.size()).as("deliveries to a subscriber whose subscribe call was refused").isZero();
    }

    private static void assertRefusedNull(ThrowingCallable call, String what, String argument) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("%s must be refused at the call with NullPointerException", what)
                .isInstanceOf(NullPointerException.class);
        assertThat(thrown.getMessage()).as("message of the refusal of %s: it names the argument", what)
                .isNotNull().containsIgnoringCase(argument);
    }

    @Test
    @DisplayName("T11 oversized payload: maxPayloadBytes + 1 bytes are refused at the call with "
            + "IllegalArgumentException naming size and maximum; nothing is delivered (skipped above 64 MiB)")
    void t11_oversizedPayloadIsRefusedAtTheCall() {
        int max = capabilities().maxPayloadBytes();
        if (max >= LARGEST_OVERSIZE_CHECKED) {
            Assumptions.abort("T11 sends maxPayloadBytes + 1 bytes, and this backplane declares maxPayloadBytes=" + max
                    + ", more than the kit allocates (" + LARGEST_OVERSIZE_CHECKED + ")");
        }
        Backplane a = open();
        Backplane b = open();
        Recorder r = subscribe(b, "big");
        byte[] tooBig = new byte[max + 1];
        Throwable thrown = catchThrowable(() -> a.publish("big", tooBig));
        assertThat(thrown).as("publish of %d bytes where maxPayloadBytes is %d must be refused at the call",
                max + 1, max).isInstanceOf(IllegalArgumentException.class);
        assertThat(thrown.getMessage()).as("message of the refusal of an oversized payload: it names the size and "
                + "the maximum").contains(Integer.toString(max + 1)).contains(Integer.toString(max));
        publish(a, "big", "after");
        r.awaitCount(1, "a message published after a refused one was not delivered");
        quietPeriod();
        assertThat(r.texts()).as("deliveries after an oversized payload was refused").containsExactly("after");
    }

    @Test
    @DisplayName("T12 a subscription is active when its future completes: a message published right after, from "
            + "the same or another instance, is delivered (20 fresh channels)")
    void t12_subscriptionIsActiveWhenItsFutureCompletes() {
        Backplane a = open();
        Backplane b = open();
        for (int i = 0; i < 20; i++) {
            String channel = "active-" + i;
            Recorder r = subscribe(a, channel);
            publish(b, channel, "from another instance");
            publish(a, channel, "from the same instance");
            r.awaitCount(2, "a message published right after subscribe(...) completed was not delivered: the "
                    + "subscription was not active when its future completed");
        }
    }

    @Test
    @DisplayName("T13 unsubscribe: after close() returns the subscription receives nothing more; other subscriptions "
            + "of the channel are unaffected; close() is idempotent; subscribing again works")
    void t13_unsubscribeStopsOnlyThatSubscription() {
        Backplane a = open();
        Backplane b = open();
        Recorder closing = recorder("unsub", true);
        Subscription subscription = subscribe(a, "unsub", closing);
        Recorder sameInstance = subscribe(a, "unsub");
        Recorder otherInstance = subscribe(b, "unsub");
        publish(b, "unsub", "before");
        for (Recorder r : List.of(closing, sameInstance, otherInstance)) {
            r.awaitCount(1, "a message was not delivered");
        }
        subscription.close();
        List<String> after = numbered("after-", 10);
        publishAll(b, "unsub", after.subList(0, 5));
        publishAll(a, "unsub", after.subList(5, 10));
        sameInstance.awaitTexts(after, KitTimeouts.delivery(), "closing one subscription of a channel stopped another "
                + "subscription of it on the same instance");
        otherInstance.awaitTexts(after, KitTimeouts.delivery(), "closing one subscription of a channel stopped a "
                + "subscription of it on another instance");
        quietPeriod();
        assertThat(closing.texts()).as("deliveries to a subscription after its close() returned").containsExactly("before");
        Throwable again = catchThrowable(subscription::close);
        assertThat(again).as("a second close() of a subscription").isNull();
        Recorder resubscribed = subscribe(a, "unsub");
        publish(b, "unsub", "again");
        resubscribed.awaitCount(1, "subscribing again to a channel after closing a subscription of it does not work");
        sameInstance.awaitTexts(List.of("again"), KitTimeouts.delivery(), "a new subscription of a channel stopped an "
                + "existing one");
        quietPeriod();
        assertThat(resubscribed.texts()).as("deliveries to a new live subscription").containsExactly("again");
        assertThat(closing.texts()).as("deliveries to a closed subscription").containsExactly("before");
    }

    @Test
    @DisplayName("T14 publish acknowledgement: with the broker up every publish future succeeds within "
            + "publishTimeout, and every acknowledged message is delivered to the subscriptions active before it")
    void t14_acknowledgedPublishesAreDelivered() {
        Backplane a = open();
        Backplane b = open();
        Recorder onA = subscribe(a, "acked");
        Recorder onB = subscribe(b, "acked");
        List<String> texts = numbered("p-", 200);
        List<CompletableFuture<Position>> futures = new ArrayList<>();
        long deadline = System.nanoTime() + KitTimeouts.publish().plus(KitTimeouts.grace()).toNanos();
        for (String text : texts) {
            futures.add(a.publish("acked", utf8(text)));
        }
        Set<Position> positions = new HashSet<>();
        for (int i = 0; i < futures.size(); i++) {
            Outcome<Position> outcome = outcome(futures.get(i), deadline);
            assertThat(outcome.done()).as("publish future of '%s' completed within publishTimeout %s + %s with "
                    + "the broker up (it hung)", texts.get(i), KitTimeouts.publish(), KitTimeouts.grace()).isTrue();
            assertThat(outcome.failure()).as("failure of the publish of '%s' with the broker up", texts.get(i)).isNull();
            assertThat(outcome.value()).as("position of the publish of '%s' (Position.NONE where there are none)",
                    texts.get(i)).isNotNull();
            positions.add(outcome.value());
        }
        if (capabilities().replay()) {
            assertThat(positions).as("positions returned for 200 messages of one channel on a replay transport: "
                    + "distinct and none of them NONE").hasSize(200).doesNotContain(Position.NONE);
        }
        for (Recorder r : List.of(onA, onB)) {
            r.awaitTexts(texts, KitTimeouts.delivery(), "an acknowledged message was not delivered");
        }
    }

    @Test
    @DisplayName("T15 a subscriber that throws does not stop later deliveries to it or to others (at-least-once: "
            + "the delivery it threw on comes again, flagged redelivered)")
    void t15_throwingSubscriberKeepsReceiving() {
        Backplane a = open();
        Backplane b = openWithShortAckTimeout();
        Recorder seen = recorder("throws", false);
        subscribe(b, "throws", (Subscriber) d -> {
            seen.onMessage(d);
            if (new String(d.payload(), java.nio.charset.StandardCharsets.UTF_8).startsWith("boom")) {
                throw new IllegalStateException("thrown on purpose by the kit's subscriber");
            }
            d.ack();
        });
        Recorder other = subscribe(b, "throws");
        List<String> later = numbered("later-", 5);
        publish(a, "throws", "boom");
        publishAll(a, "throws", later);
        seen.awaitTexts(later, KitTimeouts.delivery(), "deliveries stopped after the subscriber threw");
        other.awaitTexts(later, KitTimeouts.delivery(), "a subscriber that threw stopped deliveries to another "
                + "subscription of the channel");
        if (capabilities().atLeastOnce()) {
            Recorder.Received redelivered = awaitRedelivery(seen, "boom");
            assertThat(redelivered.redelivered()).as("redelivered() of a delivery the subscriber threw on").isTrue();
        }
    }

    private static Recorder.Received awaitRedelivery(Recorder r, String text) {
        long deadline = System.nanoTime() + KitTimeouts.ack().plus(KitTimeouts.delivery()).toNanos();
        while (System.nanoTime() < deadline) {
            if (r.count(text) >= 2) {
                return r.received().stream().filter(x -> x.text().equals(text)).skip(1).findFirst().orElseThrow();
            }
            sleep(java.time.Duration.ofMillis(20));
        }
        throw new AssertionError("the delivery of '" + text + "' that the subscriber threw on was not delivered again "
                + "within ackTimeout " + KitTimeouts.ack() + " + " + KitTimeouts.delivery()
                + " (a throwing subscriber leaves its delivery unacknowledged); received: " + r.summary());
    }

    @Test
    @DisplayName("T16 close: publishes in flight complete; afterwards publish and subscribe throw "
            + "IllegalStateException saying it is closed; close() is idempotent; the closed instance's subscriptions "
            + "receive nothing more; other instances are unaffected")
    void t16_closeEndsOneInstanceOnly() {
        Backplane a = open();
        Backplane b = open();
        Recorder onA = subscribe(a, "close");
        Recorder onB = subscribe(b, "close");
        publish(b, "close", "before");
        onA.awaitCount(1, "a message was not delivered");
        onB.awaitCount(1, "a message was not delivered");
        List<String> inFlight = numbered("in-flight-", 50);
        List<CompletableFuture<Position>> futures = new ArrayList<>();
        for (String text : inFlight) {
            futures.add(a.publish("close", utf8(text)));
        }
        a.close();
        long deadline = System.nanoTime() + KitTimeouts.publish().plus(KitTimeouts.grace()).toNanos();
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            Outcome<Position> outcome = outcome(futures.get(i), deadline);
            assertThat(outcome.done()).as("publish future of '%s', in flight when close() was called, completed "
                    + "(successfully or not) within publishTimeout + grace; it was left pending", inFlight.get(i))
                    .isTrue();
            if (outcome.succeeded()) {
                accepted.add(inFlight.get(i));
            }
        }
        assertThat(catchThrowable(a::close)).as("a second close()").isNull();
        Recorder never = recorder("close", true);
        assertClosed(() -> a.publish("close", utf8("x")), "publish");
        assertClosed(() -> a.subscribe("close", never), "subscribe");
        if (capabilities().replay()) {
            assertClosed(() -> a.subscribe("close", Position.EARLIEST, never), "subscribe from a position");
        }
        List<String> after = numbered("after-", 5);
        publishAll(b, "close", after);
        Recorder late = subscribe(b, "close");
        publish(b, "close", "late");
        onB.awaitTexts(after, KitTimeouts.delivery(), "closing one instance disturbed another instance's subscription");
        onB.awaitTexts(accepted, KitTimeouts.delivery(), "a publish that succeeded while its instance was closing was "
                + "not delivered to another instance's subscription");
        late.awaitCount(1, "subscribing on another instance after one was closed does not work");
        quietPeriod();
        assertThat(onA.texts()).as("deliveries to a subscription of an instance after its close() returned")
                .noneMatch(t -> t.startsWith("after-") || t.equals("late"));
        assertThat(never.size()).as("deliveries to a subscriber whose subscribe was refused").isZero();
    }

    private static void assertClosed(ThrowingCallable call, String what) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("%s on a closed backplane must throw IllegalStateException at the call", what)
                .isInstanceOf(IllegalStateException.class);
        assertThat(thrown.getMessage()).as("message of the refusal of %s on a closed backplane", what)
                .containsIgnoringCase("closed");
    }
}
