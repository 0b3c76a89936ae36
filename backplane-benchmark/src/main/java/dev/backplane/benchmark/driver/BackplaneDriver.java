package dev.backplane.benchmark.driver;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backplane, through the public SPI only. Instances are opened on first need and kept for the
 * driver's life, as a server instance keeps its backplane: each publisher and each subscribing
 * node of a point has an instance of its own, returned to the pool when the point ends.
 */
public final class BackplaneDriver implements Driver {

    private static final long SUBSCRIBE_TIMEOUT_SECONDS = 60;

    private final URI uri;
    private final Map<String, String> options;
    private final List<Backplane> opened = new ArrayList<>();
    private final Deque<Backplane> idle = new ArrayDeque<>();
    private final Cleaner cleaner;

    /**
     * @param cleaner removes what the backplane stored for a point's channels (stream keys, say),
     *     so that a long suite does not fill the broker
     */
    public BackplaneDriver(URI uri, Map<String, String> options, Cleaner cleaner) {
        this.uri = uri;
        this.options = Map.copyOf(options);
        this.cleaner = cleaner;
    }

    /** Removes a point's stored messages from the broker, by the backplane's logical channel names. */
    @FunctionalInterface
    public interface Cleaner {
        void cleanUp(List<String> channels) throws Exception;
    }

    @Override
    public void cleanUp(List<String> channels) throws Exception {
        cleaner.cleanUp(channels);
    }

    @Override
    public String description() {
        return "backplane " + uri.getScheme() + "://" + uri.getAuthority() + (options.isEmpty() ? "" : " " + options);
    }

    /** An instance for a caller that uses the SPI itself (the hub workload); give it back with {@link #release}. */
    public synchronized Backplane acquire() {
        Backplane b = idle.poll();
        if (b == null) {
            b = Backplanes.open(uri, options);
            opened.add(b);
        }
        return b;
    }

    public synchronized void release(Backplane backplane) {
        idle.push(backplane);
    }

    @Override
    public Publisher publisher() {
        Backplane backplane = acquire();
        return new CountingPublisher() {
            @Override
            public void send(String channel, byte[] payload) {
                sendAsync(() -> backplane.publish(channel, payload));
            }

            @Override
            public void close() {
                release(backplane);
            }
        };
    }

    @Override
    public SubscribingNode subscribe(List<String> channels, MessageSink sink) throws Exception {
        Backplane backplane = acquire();
        AtomicLong gaps = new AtomicLong();
        Subscriber subscriber = new Subscriber() {
            @Override
            public void onMessage(Delivery delivery) {
                sink.accept(delivery.payload());
                delivery.ack();
            }

            @Override
            public void onGap(Gap gap) {
                gaps.incrementAndGet();
            }
        };
        List<CompletableFuture<Subscription>> pending = new ArrayList<>();
        for (String channel : channels) {
            pending.add(backplane.subscribe(channel, subscriber));
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(SUBSCRIBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            pending.forEach(f -> f.thenAccept(Subscription::close));
            release(backplane);
            throw e;
        }
        List<Subscription> subscriptions = pending.stream().map(CompletableFuture::join).toList();
        return new SubscribingNode() {
            @Override
            public long reportedGaps() {
                return gaps.get();
            }

            @Override
            public void close() {
                subscriptions.forEach(Subscription::close);
                release(backplane);
            }
        };
    }

    @Override
    public synchronized void close() {
        opened.forEach(Backplane::close);
        opened.clear();
        idle.clear();
    }
}
