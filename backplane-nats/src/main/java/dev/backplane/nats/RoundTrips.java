package dev.backplane.nats;

import dev.backplane.spi.DaemonThreads;
import io.nats.client.Connection;
import io.nats.client.api.ServerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * PING/PONG round trips on one connection, made one at a time on one thread and shared by everyone
 * waiting. The server handles a connection's input in order, so when the PONG to a PING comes
 * back, everything sent before the PING has been processed: that is how core NATS publishes and
 * subscriptions are confirmed.
 *
 * <p>The PING goes through {@link Connection#RTT()}, which queues it behind the publishes and
 * subscriptions already queued, rather than {@code flush()}: jnats sends a flush's PING on a
 * separate internal queue that can overtake them while it re-establishes a connection (and can
 * strand the PING if the reconnect finishes at that moment), and it counts concurrent flushes
 * against {@code maxPingsOut}, dropping a busy but healthy connection. PONGs complete the waiting
 * PINGs in order, and every PING is queued after its waiter was registered, so the n-th PONG
 * always answers a PING queued after the n-th waiter's traffic.
 */
final class RoundTrips implements AutoCloseable {

    /** Something that waits for a round trip made after it was added. */
    interface Waiter {
        /** The latest time the round trip may complete for this waiter. */
        long deadlineNanos();

        /**
         * The server has processed everything sent before this waiter was added, and the errors
         * it answered with have been recorded; {@code connection} is the server connection read
         * after the PONG ({@link NatsLink#serverConnection()}).
         */
        void done(ServerInfo connection);

        /** No PONG came in time (connection down or slow); {@code why} says so, for messages. */
        void failed(String why);
    }

    private final NatsLink link;
    private final LinkedBlockingQueue<Waiter> waiting = new LinkedBlockingQueue<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Thread thread;
    private volatile boolean closed;

    RoundTrips(NatsLink link, String threadName) {
        this.link = link;
        this.thread = new DaemonThreads(threadName).newThread(this::run);
        thread.start();
    }

    /** Adds a waiter; call it after sending what it waits for. */
    void add(Waiter waiter) {
        outstanding.incrementAndGet();
        waiting.add(waiter);
        if (closed) {
            failLeft();
        }
    }

    /** A round trip after everything sent so far; completes with the server connection, or fails with {@link TimeoutException}. */
    CompletableFuture<ServerInfo> roundTrip(Duration timeout) {
        CompletableFuture<ServerInfo> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        add(new Waiter() {
            @Override
            public long deadlineNanos() {
                return deadline;
            }

            @Override
            public void done(ServerInfo connection) {
                result.complete(connection);
            }

            @Override
            public void failed(String why) {
                result.completeExceptionally(new TimeoutException(why));
            }
        });
        return result;
    }

    private void run() {
        List<Waiter> batch = new ArrayList<>();
        while (!closed) {
            try {
                Waiter first = waiting.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch);
                roundTrip(batch);
            } catch (InterruptedException e) {
                batch.forEach(w -> w.failed("the backplane was closed before the server confirmed it"));
            } catch (RuntimeException e) {
                // This thread must outlive any surprise: every later publish waits for it.
                batch.forEach(w -> w.failed("the round trip failed (" + e + ")"));
            } finally {
                outstanding.addAndGet(-batch.size());
                batch.clear();
            }
        }
        failLeft();
    }

    private void roundTrip(List<Waiter> batch) throws InterruptedException {
        long deadline = batch.get(0).deadlineNanos();
        for (Waiter w : batch) {
            deadline = Math.min(deadline, w.deadlineNanos());
        }
        if (!link.awaitConnected(deadline)) {
            batch.forEach(w -> w.failed("NATS was unreachable"));
            return;
        }
        // RTT() waits up to the connection timeout; the batch may have less, so wait here.
        // On one of the client's I/O threads, so that this one can give up at the batch's deadline.
        CompletableFuture<Duration> pong = new CompletableFuture<>();
        try {
            link.execute(() -> {
                try {
                    pong.complete(link.connection().RTT());
                } catch (Exception e) {
                    // jnats cancels the PONGs a broken connection still owed: wrapped, so that it
                    // reads as a failure here and not as a cancellation of the wait.
                    pong.completeExceptionally(new java.io.IOException(e));
                }
            });
        } catch (RejectedExecutionException closing) {
            batch.forEach(w -> w.failed("the backplane was closed before the server confirmed it"));
            return;
        }
        try {
            pong.get(Math.max(deadline - System.nanoTime(), 1), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            batch.forEach(w -> w.failed("no answer from NATS in time"));
            return;
        } catch (ExecutionException e) {
            batch.forEach(w -> w.failed("the connection to NATS was lost before the server answered"));
            return;
        }
        // A permission refusal answered before the PONG is reported on the event thread: wait for it.
        link.awaitCallbacks(Duration.ofSeconds(1));
        ServerInfo connection = link.serverConnection();
        batch.forEach(w -> w.done(connection));
    }

    private void failLeft() {
        List<Waiter> left = new ArrayList<>();
        waiting.drainTo(left);
        outstanding.addAndGet(-left.size());
        left.forEach(w -> w.failed("the backplane was closed before the server confirmed it"));
    }

    /** Lets the round trips already asked for finish, waiting at most {@code grace}, then stops; the rest fail. */
    void close(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < deadline && thread.isAlive()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failLeft();
    }
}
