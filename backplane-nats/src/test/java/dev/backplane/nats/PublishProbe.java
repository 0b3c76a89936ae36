package dev.backplane.nats;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Backplanes;
import dev.backplane.Delivery;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A probe, not a test: publishes {@code --messages} messages of {@code --size} bytes with at most
 * {@code --window} unanswered, through the raw client and through the backplane, on a nats-server
 * of its own, and prints the rate and the publish-to-answer latency of each; with {@code --deliver}
 * the backplane's messages are also received by a subscription on another instance, and the rate
 * and loss of delivery are printed. Runs in the same process one after the other, so that the raw
 * client is the baseline of the same moment on a shared machine.
 *
 * <pre>PublishProbe [jetstream|nats] [--messages 20000] [--size 128] [--window 100 | --rate N] [--deliver]</pre>
 * With {@code --rate} publishes go out at that fixed rate (latency from the intended time) instead
 * of a window.
 */
public final class PublishProbe {

    public static void main(String[] argv) throws Exception {
        String scheme = argv.length > 0 && !argv[0].startsWith("--") ? argv[0] : "jetstream";
        int messages = intArg(argv, "--messages", 20_000);
        int size = intArg(argv, "--size", 128);
        int window = intArg(argv, "--window", 100);
        int rate = intArg(argv, "--rate", 0);
        PACE_NANOS = rate > 0 ? 1_000_000_000L / rate : 0;
        boolean deliver = Arrays.asList(argv).contains("--deliver");
        try (NatsServerProcess server = new NatsServerProcess()) {
            String prefix = "probe" + UUID.randomUUID().toString().substring(0, 8);
            try (Backplane a = Backplanes.open(URI.create(scheme + "://" + server.address()),
                    Map.of(BackplaneConfig.PREFIX, prefix));
                    Backplane b = Backplanes.open(URI.create(scheme + "://" + server.address()),
                            Map.of(BackplaneConfig.PREFIX, prefix));
                    Connection raw = Nats.connect("nats://" + server.address())) {
                byte[] payload = new byte[size];
                String subject = prefix + ".raw";
                JetStream js = raw.jetStream();
                // Twice each: the first runs warm the JIT.
                for (int round = 0; round < 2; round++) {
                    report("raw jnats", messages, window, i -> scheme.equals("jetstream")
                            ? js.publishAsync(subject, new Headers().put("Nats-Msg-Id", UUID.randomUUID().toString()),
                                    payload).thenApply(ack -> null)
                            : CompletableFuture.runAsync(() -> raw.publish(subject, payload), Runnable::run));
                    AtomicLong received = new AtomicLong();
                    CountDownLatch all = new CountDownLatch(deliver ? messages : 0);
                    if (deliver) {
                        b.subscribe("probe" + round, (Delivery d) -> {
                            d.ack();
                            received.incrementAndGet();
                            all.countDown();
                        }).join();
                    }
                    String channel = "probe" + round;
                    long start = System.nanoTime();
                    report("backplane", messages, window, i -> a.publish(channel, payload).thenApply(p -> null));
                    if (deliver) {
                        boolean done = all.await(30, TimeUnit.SECONDS);
                        double secs = (System.nanoTime() - start) / 1e9;
                        System.out.printf("  delivered %d of %d to another instance in %.2f s (%.0f msg/s)%s%n",
                                received.get(), messages, secs, received.get() / secs, done ? "" : " (gave up waiting)");
                    }
                }
            }
        }
        System.exit(0);
    }

    private static long PACE_NANOS;

    private interface Publish {
        CompletableFuture<Void> publish(int i) throws Exception;
    }

    private static void report(String what, int messages, int window, Publish publish) throws Exception {
        long[] latencies = new long[messages];
        ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            long sent = PACE_NANOS > 0 ? start + i * PACE_NANOS : System.nanoTime(); // paced: the intended time
            if (PACE_NANOS > 0) {
                while (System.nanoTime() < sent) {
                    java.util.concurrent.locks.LockSupport.parkNanos(sent - System.nanoTime());
                }
                inFlight.removeIf(CompletableFuture::isDone);
            } else if (inFlight.size() >= window) {
                inFlight.poll().join();
            }
            int n = i;
            inFlight.add(publish.publish(i).whenComplete((ok, e) -> latencies[n] = System.nanoTime() - sent));
        }
        inFlight.forEach(CompletableFuture::join);
        double secs = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latencies);
        System.out.printf("%-10s %6d msgs in %.2f s: %7.0f msg/s, answered after p50 %.2f ms, p99 %.2f ms%n", what,
                messages, secs, messages / secs, latencies[messages / 2] / 1e6, latencies[messages * 99 / 100] / 1e6);
    }

    private static int intArg(String[] argv, String name, int fallback) {
        for (int i = 0; i < argv.length - 1; i++) {
            if (argv[i].equals(name)) {
                return Integer.parseInt(argv[i + 1]);
            }
        }
        return fallback;
    }
}
