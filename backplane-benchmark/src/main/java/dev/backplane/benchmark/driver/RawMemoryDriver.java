package dev.backplane.benchmark.driver;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The baseline for {@code mem://}: a hand-off between two threads through an
 * {@link ArrayBlockingQueue}, the least any in-JVM bus can do. Each subscribing node has one
 * queue and one thread taking from it; a send puts the payload on the queue of every node
 * subscribed to the channel, waiting while a queue is full (the window keeps them short).
 */
public final class RawMemoryDriver implements Driver {

    private static final int QUEUE_CAPACITY = 1 << 16;
    private static final byte[] STOP = new byte[0];

    private final Map<String, List<BlockingQueue<byte[]>>> subscribers = new ConcurrentHashMap<>();

    @Override
    public String description() {
        return "raw ArrayBlockingQueue hand-off between two threads";
    }

    @Override
    public Publisher publisher() {
        return new CountingPublisher() {
            @Override
            public void send(String channel, byte[] payload) {
                for (BlockingQueue<byte[]> queue : subscribers.getOrDefault(channel, List.of())) {
                    try {
                        queue.put(payload);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        failures.record(e);
                    }
                }
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public SubscribingNode subscribe(List<String> channels, MessageSink sink) {
        BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
        Thread taker = new Thread(() -> {
            try {
                while (true) {
                    byte[] payload = queue.take();
                    if (payload == STOP) {
                        return;
                    }
                    sink.accept(payload);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "raw-mem-node");
        taker.setDaemon(true);
        taker.start();
        for (String channel : channels) {
            subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(queue);
        }
        return () -> {
            for (String channel : channels) {
                subscribers.getOrDefault(channel, List.of()).remove(queue);
            }
            queue.clear();
            queue.put(STOP);
            taker.join(10_000);
        };
    }

    @Override
    public void close() {
        subscribers.clear();
    }
}
