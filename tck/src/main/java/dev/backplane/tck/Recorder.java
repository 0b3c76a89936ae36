package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A subscriber that keeps what it receives and lets a test wait for it. It checks on the delivery
 * thread that each delivery belongs to its channel and that calls never overlap, and reports any
 * breach through {@link AsyncFailures}.
 */
public final class Recorder implements Subscriber {

    /** One delivery as received, payload copied. */
    public record Received(String channel, byte[] payload, Position position, boolean redelivered) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final String channel;
    private final AsyncFailures failures;
    private final boolean autoAck;
    private final List<Received> received = new ArrayList<>();
    private final List<Gap> gaps = new ArrayList<>();
    private final List<Integer> deliveredBeforeGap = new ArrayList<>();
    private final AtomicReference<Thread> caller = new AtomicReference<>();

    /**
     * @param channel the channel subscribed to; a delivery of another channel is a failure
     * @param autoAck whether to acknowledge each delivery on receipt
     */
    public Recorder(String channel, AsyncFailures failures, boolean autoAck) {
        this.channel = channel;
        this.failures = failures;
        this.autoAck = autoAck;
    }

    @Override
    public void onMessage(Delivery delivery) {
        Thread current = Thread.currentThread();
        // One read of the holder: the thread still in a call is named from the same value that
        // was found there, so an overlap is reported as one and never throws inside the check.
        Thread other = caller.compareAndExchange(null, current);
        boolean entered = other == null;
        if (!entered) {
            failures.add(new AssertionError("subscriber of " + Quoted.name(channel) + " called concurrently from "
                    + current.getName() + " while " + other.getName() + " was still in a call"));
        }
        try {
            failures.capture(() -> assertThat(delivery.channel())
                    .as("channel of a delivery to a subscription of %s", Quoted.name(channel)).isEqualTo(channel));
            failures.capture(() -> assertThat(delivery.position())
                    .as("position of a delivery to a subscription of %s (Position.NONE where there are none)",
                            Quoted.name(channel)).isNotNull());
            Received r = new Received(delivery.channel(), delivery.payload().clone(), delivery.position(),
                    delivery.redelivered());
            synchronized (this) {
                received.add(r);
                notifyAll();
            }
            if (autoAck) {
                delivery.ack();
            }
        } finally {
            if (entered) {
                caller.set(null);
            }
        }
    }

    @Override
    public synchronized void onGap(Gap gap) {
        gaps.add(gap);
        deliveredBeforeGap.add(received.size());
        notifyAll();
    }

    /** Everything received so far, in order. */
    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** Payloads received so far as UTF-8 text, in order. */
    public synchronized List<String> texts() {
        return received.stream().map(Received::text).toList();
    }

    public synchronized List<Gap> gaps() {
        return List.copyOf(gaps);
    }

    /** For each gap, in order, how many deliveries had arrived when it was reported. */
    public synchronized List<Integer> deliveriesBeforeEachGap() {
        return List.copyOf(deliveredBeforeGap);
    }

    /** Waits until {@code count} deliveries arrived; fails naming what did arrive otherwise. */
    public List<Received> awaitCount(int count) {
        return awaitCount(count, KitTimeouts.delivery());
    }

    public List<Received> awaitCount(int count, Duration timeout) {
        return awaitCount(count, timeout, null);
    }

    /**
     * Waits until {@code count} deliveries arrived; fails with {@code meaning} (what it says about
     * the backplane when they do not) followed by what did arrive.
     */
    public List<Received> awaitCount(int count, String meaning) {
        return awaitCount(count, KitTimeouts.delivery(), meaning);
    }

    public synchronized List<Received> awaitCount(int count, Duration timeout, String meaning) {
        awaitUntil(() -> received.size() >= count, timeout);
        if (received.size() < count) {
            throw new AssertionError((meaning == null ? "" : meaning + ": ") + "subscription of " + Quoted.name(channel)
                    + " received " + received.size() + " of " + count + " expected message(s) within " + timeout
                    + "; received: " + summary());
        }
        return List.copyOf(received);
    }

    /**
     * Waits until every text of {@code expected} was received at least once, for at most
     * {@code timeout}; fails with {@code meaning} and the texts still missing otherwise.
     */
    public synchronized void awaitTexts(Collection<String> expected, Duration timeout, String meaning) {
        Set<String> wanted = new LinkedHashSet<>(expected);
        awaitUntil(() -> missing(wanted).isEmpty(), timeout);
        Set<String> missing = missing(wanted);
        if (!missing.isEmpty()) {
            throw new AssertionError(meaning + ": subscription of " + Quoted.name(channel) + " is missing " + missing.size()
                    + " of " + wanted.size() + " message(s) after " + timeout + ": " + abbreviate(missing)
                    + "; received: " + summary());
        }
    }

    /** How many deliveries carried {@code text}. */
    public synchronized long count(String text) {
        return received.stream().filter(r -> r.text().equals(text)).count();
    }

    /** Whether any delivery carried {@code text}. */
    public synchronized boolean has(String text) {
        return received.stream().anyMatch(r -> r.text().equals(text));
    }

    /** How many deliveries arrived so far. */
    public synchronized int size() {
        return received.size();
    }

    private Set<String> missing(Set<String> wanted) {
        Set<String> missing = new LinkedHashSet<>(wanted);
        received.forEach(r -> missing.remove(r.text()));
        return missing;
    }

    private static String abbreviate(Collection<String> texts) {
        List<String> shown = texts.stream().limit(20).toList();
        return texts.size() <= 20 ? shown.toString() : shown + " and " + (texts.size() - 20) + " more";
    }

    /** Waits until a received payload's text satisfies {@code condition}. */
    public synchronized Received awaitText(Predicate<String> condition, String description) {
        Duration timeout = KitTimeouts.delivery();
        awaitUntil(() -> received.stream().anyMatch(r -> condition.test(r.text())), timeout);
        return received.stream().filter(r -> condition.test(r.text())).findFirst().orElseThrow(() -> new AssertionError(
                "subscription of " + Quoted.name(channel) + " did not receive " + description + " within " + timeout
                        + "; received: " + summary()));
    }

    /** Waits until a gap is reported. */
    public Gap awaitGap() {
        return awaitGap(null);
    }

    /** Waits until a gap is reported; fails with {@code meaning} otherwise. */
    public synchronized Gap awaitGap(String meaning) {
        Duration timeout = KitTimeouts.recovery();
        awaitUntil(() -> !gaps.isEmpty(), timeout);
        if (gaps.isEmpty()) {
            throw new AssertionError((meaning == null ? "" : meaning + ": ") + "subscription of " + Quoted.name(channel)
                    + " reported no gap within " + timeout);
        }
        return gaps.get(0);
    }

    /** The channel this recorder was made for. */
    public String channel() {
        return channel;
    }

    /** Waits the quiet period and returns how many deliveries there are then. */
    public int settle() {
        sleep(KitTimeouts.quiet());
        synchronized (this) {
            return received.size();
        }
    }

    private void awaitUntil(java.util.function.BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for deliveries", e);
            }
        }
    }

    /** What was received, abbreviated, for failure messages. */
    public synchronized String summary() {
        List<String> texts = new ArrayList<>();
        for (Received r : received) {
            texts.add(r.payload().length > 40 ? "<" + r.payload().length + " bytes>" : r.text());
            if (texts.size() == 20) {
                texts.add("... " + (received.size() - 20) + " more");
                break;
            }
        }
        return texts.toString();
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
