package dev.backplane.benchmark.measure;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Bytes allocated in this JVM by every thread between {@link #start} and {@link #stop}, from
 * {@code com.sun.management.ThreadMXBean}. The JVM only reports live threads, so a sampler reads
 * every thread each 50 ms: a thread that ends during the measurement is counted up to its last
 * sample. Brokers run in processes of their own and are not counted; the harness's own
 * allocations (payload arrays, recording) are, equally for the backplane and the raw client.
 */
public final class AllocationMeter implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 50;

    private final com.sun.management.ThreadMXBean threads;
    private final Map<Long, Long> atStart = new HashMap<>();
    private final Map<Long, Long> latest = new HashMap<>();
    private Thread sampler;
    private volatile boolean running;

    public AllocationMeter() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (bean instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported()) {
            sun.setThreadAllocatedMemoryEnabled(true);
            this.threads = sun;
        } else {
            this.threads = null;
        }
    }

    /** Whether this JVM can measure allocation at all; if not, {@link #stop} returns -1. */
    public boolean supported() {
        return threads != null;
    }

    public synchronized void start() {
        atStart.clear();
        latest.clear();
        if (threads == null) {
            return;
        }
        sample(atStart);
        running = true;
        sampler = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (this) {
                    sample(latest);
                }
            }
        }, "bench-allocation-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Stops sampling and returns the bytes allocated since {@link #start}, or -1 if unsupported. */
    public synchronized long stop() {
        if (threads == null) {
            return -1;
        }
        running = false;
        sampler.interrupt();
        sample(latest);
        long total = 0;
        for (Map.Entry<Long, Long> e : latest.entrySet()) {
            if (e.getKey() == sampler.getId()) {
                continue;
            }
            total += Math.max(0, e.getValue() - atStart.getOrDefault(e.getKey(), 0L));
        }
        return total;
    }

    private void sample(Map<Long, Long> into) {
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                into.merge(ids[i], bytes[i], Math::max);
            }
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (sampler != null) {
            sampler.interrupt();
        }
    }
}
