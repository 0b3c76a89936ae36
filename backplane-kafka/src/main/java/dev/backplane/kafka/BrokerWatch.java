package dev.backplane.kafka;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Tells the backplane whether it can reach the Kafka cluster. kafka-clients reports no connection
 * state (producers and consumers retry in silence), so the admin client asks for the cluster's
 * nodes every {@code period}, one request at a time, each bounded by {@code timeout}: an answer
 * means connected, a failure means lost. The timer only issues the request; the answer comes on
 * the admin client's thread, which only reports it.
 */
final class BrokerWatch implements AutoCloseable {

    private final Admin admin;
    private final Duration timeout;
    private final Runnable connected;
    private final Consumer<String> lost;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final ScheduledFuture<?> task;

    BrokerWatch(Admin admin, ScheduledExecutorService timer, Duration period, Duration timeout, Runnable connected,
            Consumer<String> lost) {
        this.admin = admin;
        this.timeout = timeout;
        this.connected = connected;
        this.lost = lost;
        this.task = timer.scheduleWithFixedDelay(this::probe, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probe() {
        if (!inFlight.compareAndSet(false, true)) {
            return;
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).nodes()
                    .whenComplete((nodes, error) -> {
                        inFlight.set(false);
                        if (error == null && nodes != null && !nodes.isEmpty()) {
                            connected.run();
                        } else {
                            lost.accept(error == null ? "the cluster answered with no nodes" : String.valueOf(
                                    error.getMessage()));
                        }
                    });
        } catch (RuntimeException e) {
            inFlight.set(false);
            lost.accept(String.valueOf(e.getMessage()));
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
