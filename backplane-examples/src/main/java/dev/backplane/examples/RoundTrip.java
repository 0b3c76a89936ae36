package dev.backplane.examples;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens two backplane instances on one URI, as two server instances would, sends messages from
 * the first to a subscriber on the second and prints what arrived and how fast.
 *
 * <pre>
 * RoundTrip [URI] [--messages N] [--size BYTES] [--in-flight N]
 * </pre>
 *
 * The URI defaults to {@code mem://round-trip}. Each payload carries its send time in
 * nanoseconds, so the latency is end to end: publish call to delivery on the other instance.
 */
public final class RoundTrip {

    private RoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.printf("backplane round trip: %s, %d messages of %d bytes, %d in flight%n",
                settings.uri, settings.messages, settings.size, settings.inFlight);
        try (Backplane sender = open(settings.uri); Backplane receiver = open(settings.uri)) {
            System.out.println("capabilities: " + receiver.capabilities());
            Result result = run(sender, receiver, settings);
            result.print();
            if (result.received < settings.messages) {
                System.exit(1);
            }
        }
    }

    private static Backplane open(String uri) {
        try {
            return Backplanes.open(uri);
        } catch (BackplaneConfigurationException e) {
            System.err.println("cannot open " + uri + ": " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    static Result run(Backplane sender, Backplane receiver, Settings settings) throws InterruptedException {
        long[] latencies = new long[settings.messages];
        AtomicInteger received = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        boolean[] seen = new boolean[settings.messages];
        CountDownLatch done = new CountDownLatch(settings.messages);
        List<String> gaps = new ArrayList<>();
        Subscription subscription = receiver.subscribe("round-trip", new Subscriber() {
            @Override
            public void onMessage(Delivery delivery) {
                long now = System.nanoTime();
                ByteBuffer payload = ByteBuffer.wrap(delivery.payload());
                int index = payload.getInt();
                long sentAt = payload.getLong();
                delivery.ack();
                synchronized (seen) {
                    if (seen[index]) {
                        duplicates.incrementAndGet();
                        return;
                    }
                    seen[index] = true;
                }
                latencies[received.getAndIncrement()] = now - sentAt;
                done.countDown();
            }

            @Override
            public void onGap(Gap gap) {
                synchronized (gaps) {
                    gaps.add(gap.reason());
                }
            }
        }).orTimeout(30, TimeUnit.SECONDS).join();

        Semaphore window = new Semaphore(settings.inFlight);
        AtomicLong failed = new AtomicLong();
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < settings.messages; i++) {
            window.acquire();
            ByteBuffer payload = ByteBuffer.allocate(Math.max(12, settings.size));
            payload.putInt(i).putLong(System.nanoTime());
            CompletableFuture<?> published = sender.publish("round-trip", payload.array());
            published.whenComplete((position, error) -> {
                window.release();
                if (error != null && failed.incrementAndGet() <= 3) {
                    synchronized (failures) {
                        failures.add(error.toString());
                    }
                }
            });
        }
        long published = System.nanoTime();
        boolean complete = awaitProgress(done, received);
        long end = System.nanoTime();
        subscription.close();
        int count = received.get();
        return new Result(settings.messages, count, duplicates.get(), gaps, failed.get(), failures,
                Duration.ofNanos(published - start), Duration.ofNanos((complete ? end : published) - start),
                Arrays.copyOf(latencies, count));
    }

    /** Waits for every message, giving up once nothing has arrived for five seconds. */
    private static boolean awaitProgress(CountDownLatch done, AtomicInteger received) throws InterruptedException {
        int last = -1;
        long lastProgress = System.nanoTime();
        while (!done.await(100, TimeUnit.MILLISECONDS)) {
            int now = received.get();
            if (now != last) {
                last = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(5)) {
                return false;
            }
        }
        return true;
    }

    record Settings(String uri, int messages, int size, int inFlight) {
        static Settings parse(String[] args) {
            String uri = "mem://round-trip";
            int messages = 100_000;
            int size = 128;
            int inFlight = 1_000;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--messages" -> messages = Integer.parseInt(args[++i]);
                    case "--size" -> size = Integer.parseInt(args[++i]);
                    case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
                    case "-h", "--help" -> {
                        System.out.println("usage: RoundTrip [URI] [--messages N] [--size BYTES] [--in-flight N]");
                        System.exit(0);
                    }
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown argument " + args[i] + "; try --help");
                        }
                        uri = args[i];
                    }
                }
            }
            if (messages < 1 || size < 0 || inFlight < 1) {
                throw new IllegalArgumentException("--messages and --in-flight must be positive, --size not negative");
            }
            return new Settings(uri, messages, size, inFlight);
        }
    }

    record Result(int sent, int received, int duplicates, List<String> gaps, long failed, List<String> failures,
                  Duration publishing, Duration total, long[] latencies) {
        void print() {
            System.out.printf("published %d in %d ms; %d publish(es) failed%s%n", sent, publishing.toMillis(), failed,
                    failures.isEmpty() ? "" : " " + failures);
            System.out.printf("received %d of %d (%d duplicate(s)) in %d ms: %.0f messages/s%n", received, sent,
                    duplicates, total.toMillis(), received / Math.max(1e-9, total.toNanos() / 1e9));
            if (!gaps.isEmpty()) {
                System.out.printf("the transport reported %d gap(s), messages it could not deliver; first: %s%n",
                        gaps.size(), gaps.get(0));
            }
            if (latencies.length > 0) {
                long[] sorted = latencies.clone();
                Arrays.sort(sorted);
                System.out.printf("latency publish->delivery: p50 %s, p90 %s, p99 %s, max %s%n",
                        micros(sorted, 0.50), micros(sorted, 0.90), micros(sorted, 0.99), micros(sorted, 1.0));
            }
        }

        private static String micros(long[] sorted, double quantile) {
            int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
            return String.format("%.1f us", sorted[Math.max(0, index)] / 1000.0);
        }
    }
}
