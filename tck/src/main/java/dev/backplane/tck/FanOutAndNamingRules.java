package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Channels;
import dev.backplane.Position;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Transport rules T35 to T39: wide fan-out, order across interleaved channels, names that spell
 * each other's escaped forms, retained history per prefix, identical payloads. Part of
 * {@link BackplaneTck}; extend that class, not this one.
 */
public abstract class FanOutAndNamingRules extends CallbackAndFlowRules {

    @Test
    @DisplayName("T35 wide fan-out: six subscriptions of one channel, two on each of three instances, each receive "
            + "every message once, whichever instance published it")
    void t35_wideFanOutReachesEverySubscriptionOnce() {
        List<Backplane> instances = List.of(open(), open(), open());
        Map<String, Recorder> recorders = new LinkedHashMap<>();
        for (int i = 0; i < instances.size(); i++) {
            for (int k = 1; k <= 2; k++) {
                recorders.put("subscription " + k + " on instance " + (i + 1), subscribe(instances.get(i), "wide"));
            }
        }
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            List<String> batch = numbered("from-" + (i + 1) + "-", 10);
            publishAll(instances.get(i), "wide", batch);
            sent.addAll(batch);
        }
        recorders.forEach((name, r) -> r.awaitTexts(sent, KitTimeouts.delivery(), "a message did not reach the " + name
                + " of six subscriptions of one channel"));
        quietPeriod();
        recorders.forEach((name, r) -> assertEachOnce(r, sent, "wide fan-out: every message once on the " + name));
    }

    @Test
    @DisplayName("T36 order across channels: an instance publishing interleaved to five channels keeps each "
            + "channel's order on every subscription [needs orderedPerPublisher]")
    void t36_interleavedChannelsKeepEachChannelsOrder() {
        requireOrderedPerPublisher("T36");
        Backplane a = open();
        Backplane b = open();
        List<String> channels = numbered("lane-", 5);
        Map<String, List<Recorder>> recorders = new LinkedHashMap<>();
        for (String channel : channels) {
            recorders.put(channel, List.of(subscribe(a, channel), subscribe(b, channel)));
        }
        Map<String, List<String>> sent = new LinkedHashMap<>();
        List<java.util.concurrent.CompletableFuture<Position>> futures = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
            for (String channel : channels) {
                String text = channel + "/" + round;
                sent.computeIfAbsent(channel, c -> new ArrayList<>()).add(text);
                futures.add(a.publish(channel, utf8(text)));
            }
        }
        futures.forEach(f -> await(f, "an interleaved publish"));
        recorders.forEach((channel, rs) -> rs.forEach(r -> {
            r.awaitCount(200, "not every message published interleaved to five channels was delivered");
            DeliveryRules.assertInPublishOrder(r, channel + "/", sent.get(channel));
        }));
    }

    /** The characters besides letters and digits that a legal channel name may hold. */
    static final String SPECIAL_CHARACTERS = "-_.:@=+";

    /**
     * Legal names that spell the escaped forms of other legal names, under the escape schemes a
     * transport might choose (an escape character from the legal set followed by the hex code,
     * upper or lower case, the character doubled or quoted), plus long names differing only in
     * their first or last character (T37).
     */
    static List<String> escapeLookalikeNames() {
        Set<String> names = new LinkedHashSet<>();
        for (char c : SPECIAL_CHARACTERS.toCharArray()) {
            names.add("a" + c + "b");
            String hex = HexFormat.of().withUpperCase().toHexDigits((byte) c);
            for (char e : SPECIAL_CHARACTERS.toCharArray()) {
                for (String escaped : List.of(e + hex, e + hex.toLowerCase(java.util.Locale.ROOT), "" + e + e,
                        "" + e + c)) {
                    names.add("a" + escaped + "b");
                }
            }
        }
        for (char e : SPECIAL_CHARACTERS.toCharArray()) {
            names.add("a" + e + "bc");       // an upper-case letter escaped as a marked lower-case one
            names.add("a" + e + "Bc");
        }
        names.add("aBc");
        names.add("abc");
        int longest = Channels.MAX_CHANNEL_LENGTH;
        names.add("y" + "x".repeat(longest - 1));
        names.add("z" + "x".repeat(longest - 1));
        names.add("x".repeat(longest - 1) + "y");
        names.add("x".repeat(longest - 1) + "z");
        names.removeIf(name -> !legal(name));
        return List.copyOf(names);
    }

    private static boolean legal(String name) {
        try {
            Channels.requireValid(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    @DisplayName("T37 escaped names: channels whose names spell other channels' escaped forms (a.b, a_2Eb, a_2eb, a__b, "
            + "a%b forms with every legal special character) and longest names differing only in their first or "
            + "last character stay apart")
    void t37_namesSpellingEscapedFormsStayApart() {
        Backplane a = open();
        Backplane b = open();
        List<String> names = escapeLookalikeNames();
        Map<String, Recorder> recorders = new LinkedHashMap<>();
        List<java.util.concurrent.CompletableFuture<?>> subscribed = new ArrayList<>();
        for (String name : names) {
            Recorder r = recorder(name, true);
            recorders.put(name, r);
            subscribed.add(a.subscribe(name, r));
        }
        for (int i = 0; i < subscribed.size(); i++) {
            await(subscribed.get(i), "subscribe to " + Quoted.name(names.get(i)));
        }
        for (String name : names) {
            publish(b, name, name);
        }
        recorders.forEach((name, r) -> r.awaitCount(1, "the message of channel " + Quoted.name(name)
                + " was not delivered"));
        quietPeriod();
        recorders.forEach((name, r) -> assertThat(r.texts())
                .as("messages on the subscription of %s among %d channels whose names spell each other's escaped "
                        + "forms (a message of another channel here is a leak between channels: the transport's "
                        + "mapping of names onto the broker is not one-to-one)", Quoted.name(name), names.size())
                .containsExactly(name));
    }

    @Test
    @DisplayName("T38 retained history is kept per prefix: replay from EARLIEST or from a delivered position under one "
            + "prefix never delivers what was published under another prefix on the same broker [needs replay]")
    void t38_retainedHistoryIsIsolatedByPrefix() {
        requireReplay("T38");
        String mine = prefix();
        String theirs = prefix() + "-other";
        Backplane publisherMine = open(mine, Map.of());
        Backplane publisherTheirs = open(theirs, Map.of());
        List<String> textsMine = numbered("mine-", 6);
        List<String> textsTheirs = numbered("theirs-", 6);
        List<Position> positionsMine = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            positionsMine.add(publish(publisherMine, "history", textsMine.get(i)));
            publish(publisherTheirs, "history", textsTheirs.get(i));
        }
        Backplane replayingMine = open(mine, Map.of());
        Backplane replayingTheirs = open(theirs, Map.of());
        Recorder fromEarliestMine = recorder("history", true);
        Recorder fromEarliestTheirs = recorder("history", true);
        Recorder fromPositionMine = recorder("history", true);
        await(replayingMine.subscribe("history", Position.EARLIEST, fromEarliestMine), "replay from EARLIEST");
        await(replayingTheirs.subscribe("history", Position.EARLIEST, fromEarliestTheirs), "replay from EARLIEST");
        await(replayingMine.subscribe("history", Position.of(positionsMine.get(2).value()), fromPositionMine),
                "replay from the position of mine-2");
        fromEarliestMine.awaitTexts(textsMine, KitTimeouts.delivery(), "replay from EARLIEST did not deliver the "
                + "channel's history");
        fromEarliestTheirs.awaitTexts(textsTheirs, KitTimeouts.delivery(), "replay from EARLIEST did not deliver the "
                + "channel's history");
        fromPositionMine.awaitTexts(textsMine.subList(3, 6), KitTimeouts.delivery(), "replay from a position did not "
                + "deliver the later messages");
        quietPeriod();
        String leak = "messages replayed under prefix %s (a message published under the other prefix here is a leak "
                + "between prefixes through the retained history)";
        assertThat(fromEarliestMine.texts()).as(leak, Quoted.name(mine)).containsExactlyInAnyOrderElementsOf(textsMine);
        assertThat(fromEarliestTheirs.texts()).as(leak, Quoted.name(theirs))
                .containsExactlyInAnyOrderElementsOf(textsTheirs);
        assertThat(fromPositionMine.texts()).as(leak, Quoted.name(mine))
                .containsExactlyInAnyOrderElementsOf(textsMine.subList(3, 6));
    }

    @Test
    @DisplayName("T39 identical payloads: the same payload published many times back to back, from one instance and "
            + "from two at once, arrives as many times as it was published")
    void t39_identicalPayloadsAreAllDelivered() {
        Backplane a = open();
        Backplane b = open();
        Backplane c = open();
        Recorder onA = subscribe(a, "same");
        Recorder onC = subscribe(c, "same");
        byte[] large = new byte[1000];
        Arrays.fill(large, (byte) 'L');
        Map<String, byte[]> payloads = new LinkedHashMap<>();
        payloads.put("the empty payload", new byte[0]);
        payloads.put("'same'", utf8("same"));
        payloads.put("1000 bytes of 'L'", large);
        int times = 30;
        concurrently(List.of(() -> publishRepeatedly(a, payloads, times), () -> publishRepeatedly(b, payloads, times)));
        int expected = 2 * times * payloads.size();
        for (Recorder r : List.of(onA, onC)) {
            r.awaitCount(expected, "not every copy of an identical payload was delivered: the transport folded or "
                    + "dropped repeated messages");
        }
        quietPeriod();
        for (Recorder r : List.of(onA, onC)) {
            List<Recorder.Received> received = r.received();
            payloads.forEach((label, bytes) -> assertThat(received.stream()
                    .filter(x -> Arrays.equals(x.payload(), bytes)).count())
                    .as("deliveries of %s, published %d times back to back by each of two instances (each publish "
                            + "is a message of its own: none may be folded into another)", label, times)
                    .isEqualTo(2L * times));
        }
    }

    private static void publishRepeatedly(Backplane backplane, Map<String, byte[]> payloads, int times) {
        List<java.util.concurrent.CompletableFuture<Position>> futures = new ArrayList<>();
        payloads.values().forEach(bytes -> {
            for (int i = 0; i < times; i++) {
                futures.add(backplane.publish("same", bytes));
            }
        });
        futures.forEach(f -> await(f, "a publish of a repeated payload"));
    }
}
