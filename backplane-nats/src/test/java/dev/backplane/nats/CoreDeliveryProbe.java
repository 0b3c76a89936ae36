package dev.backplane.nats;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Backplanes;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A probe, not a test: how fast core NATS deliveries reach a backplane subscriber, against a raw
 * jnats subscriber of the same messages in the same process. A raw publisher sends
 * {@code --messages} messages of {@code --size} bytes as fast as the client takes them, paced at
 * {@code --rate} per second if given; both subscribers count what they get, the backplane one also
 * the messages its bounded backlog dropped (reported as gaps).
 *
 * <pre>CoreDeliveryProbe [--messages 500000] [--size 128] [--rate 0] [--work-micros 0]</pre>
 * {@code --work-micros} makes the backplane subscriber spend that long on each message.
 */
public final class CoreDeliveryProbe {

    private static final Pattern DROPPED = Pattern.compile("^(\\d+) message\\(s\\) dropped");

    public static void main(String[] argv) throws Exception {
        int messages = intArg(argv, "--messages", 500_000);
        int size = intArg(argv, "--size", 128);
        int rate = intArg(argv, "--rate", 0);
        long workNanos = intArg(argv, "--work-micros", 0) * 1000L;
        try (NatsServerProcess server = new NatsServerProcess()) {
            String prefix = "probe" + UUID.randomUUID().toString().substring(0, 8);
            String subject = prefix + ".c";
            AtomicLong raw = new AtomicLong();
            AtomicLong viaBackplane = new AtomicLong();
            AtomicLong dropped = new AtomicLong();
            AtomicLong gaps = new AtomicLong();
            try (Connection rawSubscriber = Nats.connect("nats://" + server.address());
                    Connection publisher = Nats.connect("nats://" + server.address());
                    Backplane backplane = Backplanes.open(URI.create("nats://" + server.address()),
                            Map.of(BackplaneConfig.PREFIX, prefix))) {
                Dispatcher d = rawSubscriber.createDispatcher(m -> raw.incrementAndGet());
                d.subscribe(subject);
                rawSubscriber.flush(Duration.ofSeconds(5));
                backplane.subscribe("c", new Subscriber() {
                    @Override
                    public void onMessage(Delivery delivery) {
                        if (workNanos > 0) {
                            long until = System.nanoTime() + workNanos;
                            while (System.nanoTime() < until) {
                                Thread.onSpinWait();
                            }
                        }
                        viaBackplane.incrementAndGet();
                    }

                    @Override
                    public void onGap(Gap gap) {
                        gaps.incrementAndGet();
                        Matcher m = DROPPED.matcher(gap.reason());
                        if (m.find()) {
                            dropped.addAndGet(Long.parseLong(m.group(1)));
                        }
                    }
                }).join();
                byte[] payload = new byte[size];
                long pace = rate > 0 ? 1_000_000_000L / rate : 0;
                long start = System.nanoTime();
                for (int i = 0; i < messages; i++) {
                    if (pace > 0) {
                        long at = start + i * pace;
                        while (System.nanoTime() < at) {
                            Thread.onSpinWait();
                        }
                    }
                    publisher.publish(subject, payload);
                }
                publisher.flush(Duration.ofSeconds(30));
                double sent = (System.nanoTime() - start) / 1e9;
                long last = -1;
                while (last != raw.get() + viaBackplane.get() + dropped.get()) {
                    last = raw.get() + viaBackplane.get() + dropped.get();
                    Thread.sleep(500);
                }
                double secs = (System.nanoTime() - start) / 1e9 - 0.5;
                System.out.printf("published %d messages of %d bytes in %.2f s (%.0f msg/s)%n", messages, size, sent,
                        messages / sent);
                System.out.printf("raw jnats subscriber: %d (%.1f%%)%n", raw.get(), 100.0 * raw.get() / messages);
                System.out.printf("backplane subscriber: %d (%.1f%%) in %.2f s (%.0f msg/s), %d dropped in %d gaps, "
                                + "jnats slow-consumer drops %d%n", viaBackplane.get(), 100.0 * viaBackplane.get() / messages,
                        secs, viaBackplane.get() / secs, dropped.get(), gaps.get(),
                        ((NatsBackplane) backplane).link().connection().getStatistics().getDroppedCount());
            }
        }
        System.exit(0);
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
