package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Channels;
import dev.backplane.Subscriber;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Transport rules T01 to T08: who receives a message, in what order, and byte for byte what.
 * Part of {@link BackplaneTck}; extend that class, not this one.
 */
public abstract class DeliveryRules extends TransportKitSupport {

    /** The largest payload the kit sends when a transport declares a larger maximum (T05). */
    public static final int LARGEST_PAYLOAD_SENT = 8 << 20;

    @Test
    @DisplayName("T01 fan-out: a message reaches every subscription of its channel, on every instance, once")
    void t01_fanOutReachesEverySubscriptionOnce() {
        Backplane a = open();
        Backplane b = open();
        Recorder a1 = subscribe(a, "fan");
        Recorder a2 = subscribe(a, "fan");
        Recorder b1 = subscribe(b, "fan");
        List<String> sent = numbered("m", 10);
        for (int i = 0; i < sent.size(); i++) {
            publish(i % 2 == 0 ? a : b, "fan", sent.get(i));
        }
        for (Recorder r : List.of(a1, a2, b1)) {
            r.awaitTexts(sent, KitTimeouts.delivery(), "a message did not reach every subscription");
        }
        quietPeriod();
        for (Recorder r : List.of(a1, a2, b1)) {
            assertThat(r.texts()).as("each of 10 messages exactly once on every subscription (a message "
                    + "delivered twice or not at all breaks fan-out)").containsExactlyInAnyOrderElementsOf(sent);
            assertThat(r.gaps()).as("gaps reported without any outage").isEmpty();
        }
    }

    /** Legal channel names that a transport mapping names onto its broker could confuse. */
    static List<String> confusableChannelNames() {
        return List.of("a", "A", "ab", "aB", "a.b", "a.b.c", "a:b", "a:b:c", "a-b", "a_b", "a@b", "a=b", "a+b",
                "b", "0", "-", "_", ":", "@", "=", "+", ":a", "a:", "-a", "a-", "x.y", "x:y", "x-y", "x_y",
                "x".repeat(Channels.MAX_CHANNEL_LENGTH - 1), "x".repeat(Channels.MAX_CHANNEL_LENGTH));
    }

    @Test
    @DisplayName("T02 channel isolation: a message reaches only subscriptions of its own channel, whatever the names "
            + "(prefixes of each other, case, every legal character, the longest legal name)")
    void t02_channelsAreIsolatedWhateverTheirNames() {
        Backplane a = open();
        Backplane b = open();
        Map<String, Recorder> recorders = new LinkedHashMap<>();
        for (String name : confusableChannelNames()) {
            recorders.put(name, subscribe(a, name));
        }
        for (String name : confusableChannelNames()) {
            publish(b, name, name);
        }
        recorders.forEach((name, r) -> r.awaitCount(1, "the message of channel " + Quoted.name(name) + " was not delivered"));
        quietPeriod();
        recorders.forEach((name, r) -> assertThat(r.texts())
                .as("messages on the subscription of channel %s (a message of another channel here is a leak "
                        + "between channels)", Quoted.name(name))
                .containsExactly(name));
    }

    @Test
    @DisplayName("T03 prefix isolation: instances with different prefixes on one broker never see each other's "
            + "messages, even where prefix and channel joined naively would collide, and for 64-character prefixes "
            + "that differ only in their first or last character")
    void t03_prefixesAreIsolated() {
        String p = prefix();
        // (prefix, channel) pairs; several spell the same string when prefix and channel are
        // concatenated with no separator or with '-' or '_'.
        List<String[]> places = List.of(
                new String[] {p, "c"}, new String[] {p + "2", "c"}, new String[] {p.toUpperCase(Locale.ROOT), "c"},
                new String[] {p, "-c"}, new String[] {p + "-", "c"},
                new String[] {p, "_c"}, new String[] {p + "_", "c"},
                new String[] {p, "2c"}, new String[] {p + "2", "2c"},
                // The longest legal prefixes, differing only in their last or only in their first
                // character: a transport that shortens prefixes to fit a broker's limit merges them.
                new String[] {longestPrefix(p, 'a', true), "c"}, new String[] {longestPrefix(p, 'b', true), "c"},
                new String[] {longestPrefix(p, 'a', false), "c"}, new String[] {longestPrefix(p, 'b', false), "c"});
        Map<String, Recorder> recorders = new LinkedHashMap<>();
        Map<String, Backplane> publishers = new LinkedHashMap<>();
        Map<String, Backplane> subscribers = new LinkedHashMap<>();
        for (String[] place : places) {
            Backplane sub = subscribers.computeIfAbsent(place[0], pre -> open(pre, Map.of()));
            publishers.computeIfAbsent(place[0], pre -> open(pre, Map.of()));
            String key = label(place);
            recorders.put(key, subscribe(sub, place[1]));
        }
        for (String[] place : places) {
            publish(publishers.get(place[0]), place[1], label(place));
        }
        recorders.forEach((key, r) -> r.awaitCount(1, "the message to " + key + " was not delivered"));
        quietPeriod();
        recorders.forEach((key, r) -> assertThat(r.texts())
                .as("messages on the subscription of %s (a message sent under another prefix here is a leak "
                        + "between prefixes)", key)
                .containsExactly(key));
    }

    /** The longest legal prefix: {@code p} padded to 64 characters, {@code distinct} last (or first). */
    static String longestPrefix(String p, char distinct, boolean last) {
        String padded = p + "-" + "x".repeat(LONGEST_PREFIX - p.length() - 2);
        return last ? padded + distinct : distinct + padded;
    }

    /** The longest legal prefix, in characters. */
    static final int LONGEST_PREFIX = 64;

    private static String label(String[] place) {
        return "prefix " + Quoted.name(place[0]) + " channel " + Quoted.name(place[1]);
    }

    @Test
    @DisplayName("T04 order: each subscription receives the messages one instance publishes to one channel in the "
            + "order of the publish calls (1000 from each of two publishers at once) [needs orderedPerPublisher]")
    void t04_perPublisherOrderIsKept() {
        requireOrderedPerPublisher("T04");
        Backplane a = open();
        Backplane b = open();
        Backplane c = open();
        Recorder onA = subscribe(a, "order");
        Recorder onC = subscribe(c, "order");
        List<String> fromA = numbered("a-", 1000);
        List<String> fromB = numbered("b-", 1000);
        concurrently(List.of(() -> publishAll(a, "order", fromA), () -> publishAll(b, "order", fromB)));
        for (Recorder r : List.of(onA, onC)) {
            r.awaitCount(2000, "not every message was delivered");
            assertInPublishOrder(r, "a-", fromA);
            assertInPublishOrder(r, "b-", fromB);
        }
    }

    /** Fails unless the texts of {@code r} starting with {@code tag} are exactly {@code expected}, in order. */
    static void assertInPublishOrder(Recorder r, String tag, List<String> expected) {
        List<String> actual = r.texts().stream().filter(t -> t.startsWith(tag)).toList();
        if (actual.equals(expected)) {
            return;
        }
        int i = 0;
        while (i < actual.size() && i < expected.size() && actual.get(i).equals(expected.get(i))) {
            i++;
        }
        throw new AssertionError("messages of publisher '" + tag + "' on the subscription of '" + r.channel()
                + "' are not in publish order: at index " + i + " expected " + (i < expected.size() ? expected.get(i)
                : "nothing more") + " but was " + (i < actual.size() ? actual.get(i) : "nothing") + " ("
                + actual.size() + " received, " + expected.size() + " published); received around there: "
                + actual.subList(Math.max(0, i - 3), Math.min(actual.size(), i + 4)));
    }

    /** A payload the kit sends and what to call it in messages. */
    record Sample(String label, byte[] bytes) {
    }

    static List<Sample> fidelitySamples(int maxPayloadBytes) {
        byte[] all = new byte[256];
        byte[] allDescending = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
            allDescending[i] = (byte) (255 - i);
        }
        int largest = Math.min(maxPayloadBytes, LARGEST_PAYLOAD_SENT);
        byte[] max = new byte[largest];
        new Random(largest).nextBytes(max);
        List<Sample> samples = new ArrayList<>(List.of(
                new Sample("0 bytes", new byte[0]),
                new Sample("1 byte 0x41", new byte[] {0x41}),
                new Sample("1 byte 0x00", new byte[] {0}),
                new Sample("1 byte 0xFF", new byte[] {(byte) 0xFF}),
                new Sample("all 256 byte values ascending", all),
                new Sample("all 256 byte values descending", allDescending),
                new Sample("invalid UTF-8: lone continuation bytes", new byte[] {(byte) 0x80, (byte) 0xBF}),
                new Sample("invalid UTF-8: truncated sequence", new byte[] {(byte) 0xE2, 0x28, (byte) 0xA1}),
                new Sample("invalid UTF-8: overlong NUL", new byte[] {(byte) 0xC0, (byte) 0x80}),
                new Sample("invalid UTF-8: encoded surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                new Sample("invalid UTF-8: 0xFE 0xFF", new byte[] {(byte) 0xFE, (byte) 0xFF}),
                new Sample("text with NUL and CR LF", utf8("a\u0000b\r\nc"))));
        for (int size : boundarySizes()) {
            if (size < largest) {
                byte[] bytes = new byte[size];
                new Random(size).nextBytes(bytes);
                samples.add(new Sample(size + " random bytes", bytes));
            }
        }
        samples.add(new Sample((largest == maxPayloadBytes ? "exactly maxPayloadBytes (" : "capped at ") + largest
                + " random bytes" + (largest == maxPayloadBytes ? ")" : ", below maxPayloadBytes " + maxPayloadBytes), max));
        return samples;
    }

    /**
     * Sizes just below, at and above the usual buffer, chunk and frame boundaries (4, 8, 16 and
     * 64 KiB, 1 MiB), and odd sizes between them (T05).
     */
    static List<Integer> boundarySizes() {
        List<Integer> sizes = new ArrayList<>();
        for (int boundary : new int[] {4 << 10, 8 << 10, 16 << 10, 64 << 10, 1 << 20}) {
            sizes.addAll(List.of(boundary - 1, boundary, boundary + 1));
        }
        sizes.addAll(List.of(1000, 3001, 5003, 12345, 40009, 100003, 777777));
        return sizes;
    }

    @Test
    @DisplayName("T05 payload fidelity: 0 bytes, 1 byte, all 256 byte values, invalid UTF-8, sizes around the 4, 8, 16 "
            + "and 64 KiB and 1 MiB boundaries and odd sizes between, and exactly maxPayloadBytes (at most 8 MiB are "
            + "sent) arrive byte for byte")
    void t05_payloadsArriveByteForByte() {
        Backplane a = open();
        Backplane b = open();
        Recorder onA = subscribe(a, "bytes");
        Recorder onB = subscribe(b, "bytes");
        List<Sample> samples = fidelitySamples(capabilities().maxPayloadBytes());
        for (Sample s : samples) {
            await(a.publish("bytes", s.bytes()), "publish of the payload '" + s.label() + "'");
        }
        for (Recorder r : List.of(onA, onB)) {
            r.awaitCount(samples.size(), "not every payload was delivered");
        }
        quietPeriod();
        for (Recorder r : List.of(onA, onB)) {
            List<Recorder.Received> received = r.received();
            for (Sample s : samples) {
                long copies = received.stream().filter(x -> Arrays.equals(x.payload(), s.bytes())).count();
                assertThat(copies).as("deliveries equal byte for byte to the payload '%s' (%d bytes); a payload "
                        + "that arrived changed is missing here. Sizes received: %s", s.label(), s.bytes().length,
                        received.stream().map(x -> x.payload().length).toList()).isEqualTo(1);
            }
        }
    }

    @Test
    @DisplayName("T06 payload ownership: changing the published array after publish returns, or a delivered "
            + "array in one subscriber, changes no delivery")
    void t06_payloadArraysAreNotShared() {
        Backplane a = open();
        Backplane b = open();
        Recorder plain = recorder("own", true);
        List<byte[]> scribbled = new ArrayList<>();
        CountDownLatch scribblerDone = new CountDownLatch(1);
        // Subscribed first, so a transport that hands one array to every local subscription hands
        // it to this one before the recorder sees it.
        subscribe(b, "own", (Subscriber) d -> {
            byte[] payload = d.payload();
            synchronized (scribbled) {
                scribbled.add(payload.clone());
            }
            Arrays.fill(payload, (byte) '#');
            d.ack();
            scribblerDone.countDown();
        });
        subscribe(b, "own", (Subscriber) d -> {
            try {
                // Bounded: a transport that delivers to its subscriptions one after the other on one
                // thread has already called the scribbler, or would deadlock here.
                scribblerDone.await(KitTimeouts.quiet().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            plain.onMessage(d);
        });
        byte[] payload = utf8("original payload");
        var future = a.publish("own", payload);
        Arrays.fill(payload, (byte) '!');
        await(future, "publish to 'own'");
        plain.awaitCount(1, "the message was not delivered");
        quietPeriod();
        assertThat(plain.texts()).as("payload delivered after the publisher overwrote its array once publish "
                + "returned, and after another subscriber overwrote the array delivered to it (the transport "
                + "kept a reference to an array it does not own)").containsExactly("original payload");
        synchronized (scribbled) {
            assertThat(scribbled).extracting(x -> new String(x, java.nio.charset.StandardCharsets.UTF_8))
                    .as("payload delivered to the first subscriber").containsExactly("original payload");
        }
    }

    @Test
    @DisplayName("T07 concurrency: four threads publishing on one instance and two more instances publishing at "
            + "the same time; every subscription receives exactly the published set (in each thread's order where "
            + "orderedPerPublisher)")
    void t07_concurrentPublishersLoseAndDuplicateNothing() {
        Backplane a = open();
        Backplane b = open();
        Backplane c = open();
        Backplane d = open();
        List<Recorder> recorders = List.of(subscribe(a, "busy"), subscribe(b, "busy"), subscribe(d, "busy"));
        List<List<String>> batches = new ArrayList<>();
        List<Runnable> tasks = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            List<String> batch = numbered("a" + t + "-", 150);
            batches.add(batch);
            tasks.add(() -> publishAll(a, "busy", batch));
        }
        List<String> fromB = numbered("b-", 150);
        List<String> fromC = numbered("c-", 150);
        batches.add(fromB);
        batches.add(fromC);
        tasks.add(() -> publishAll(b, "busy", fromB));
        tasks.add(() -> publishAll(c, "busy", fromC));
        concurrently(tasks);
        List<String> all = batches.stream().flatMap(List::stream).toList();
        for (Recorder r : recorders) {
            r.awaitTexts(all, KitTimeouts.delivery(), "not every message published concurrently was delivered");
        }
        quietPeriod();
        for (Recorder r : recorders) {
            assertThat(r.texts()).as("messages published concurrently, each exactly once").hasSize(all.size())
                    .containsExactlyInAnyOrderElementsOf(all);
            if (capabilities().orderedPerPublisher()) {
                for (List<String> batch : batches) {
                    assertInPublishOrder(r, batch.get(0).substring(0, batch.get(0).indexOf('-') + 1), batch);
                }
            }
        }
    }

    @Test
    @DisplayName("T08 many channels: 200 channels subscribed on one instance each receive only their own messages")
    void t08_manyChannelsEachGetTheirOwn() {
        Backplane a = open();
        Backplane b = open();
        Map<String, Recorder> recorders = new LinkedHashMap<>();
        List<java.util.concurrent.CompletableFuture<?>> subscribed = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String channel = "ch-" + i;
            Recorder r = recorder(channel, true);
            recorders.put(channel, r);
            subscribed.add(a.subscribe(channel, r));
        }
        for (int i = 0; i < subscribed.size(); i++) {
            await(subscribed.get(i), "subscribe to 'ch-" + i + "'");
        }
        for (String channel : recorders.keySet()) {
            publishAll(b, channel, List.of(channel + "#1", channel + "#2"));
        }
        recorders.forEach((channel, r) -> r.awaitCount(2, "a message of one of 200 channels was not delivered"));
        quietPeriod();
        recorders.forEach((channel, r) -> assertThat(r.texts())
                .as("messages on the subscription of '%s' among 200 channels (a message of another channel here is "
                        + "a leak between channels)", channel)
                .containsExactlyInAnyOrder(channel + "#1", channel + "#2"));
    }
}
