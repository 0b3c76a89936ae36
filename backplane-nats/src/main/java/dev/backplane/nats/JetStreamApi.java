package dev.backplane.nats;

import io.nats.client.Connection;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Requests to the JetStream API ({@code $JS.API.*}) without a thread waiting for each: a request
 * is sent on the connection, its answer completes a future on one of the client's I/O threads,
 * and a timer on the shared scheduler bounds the wait (jnats itself only looks at request
 * timeouts every few seconds).
 *
 * <p>At most {@value #MAX_IN_FLIGHT} requests are in flight; more wait in call order. After a
 * reconnect every subscription asks for a new consumer at once, and the server answers a flood of
 * API requests with timeouts; a bounded window keeps that from happening. The waiting queue holds
 * at most a few requests per subscription (one consumer creation, one retention reading).
 */
final class JetStreamApi {

    static final int MAX_IN_FLIGHT = 32;
    private static final String PREFIX = "$JS.API.";

    private final NatsLink link;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;
    private final Executor io;
    private final Queue<Request> waiting = new ArrayDeque<>(); // guarded by itself
    private int inFlight; // guarded by waiting

    /**
     * @param timeout how long one request may wait for its answer
     * @param scheduler times the requests out
     * @param io completes the futures
     */
    JetStreamApi(NatsLink link, Duration timeout, ScheduledExecutorService scheduler, Executor io) {
        this.link = link;
        this.timeout = timeout;
        this.scheduler = scheduler;
        this.io = io;
    }

    /**
     * Sends {@code body} to {@code $JS.API.} + {@code api}. The future completes with the answer
     * on an I/O thread, or fails: {@link TimeoutException} without an answer in time,
     * {@link java.util.concurrent.CancellationException} when no server answers at all (no
     * JetStream), {@link IllegalStateException} when the connection is down.
     */
    CompletableFuture<Message> request(String api, String body) {
        Request r = new Request(PREFIX + api, body.getBytes(StandardCharsets.UTF_8));
        synchronized (waiting) {
            if (inFlight >= MAX_IN_FLIGHT) {
                waiting.add(r);
                return r.result;
            }
            inFlight++;
        }
        r.send();
        return r.result;
    }

    private void finished() {
        Request next;
        synchronized (waiting) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
                return;
            }
        }
        next.send();
    }

    private final class Request {
        final String subject;
        final byte[] body;
        final CompletableFuture<Message> result = new CompletableFuture<>();

        Request(String subject, byte[] body) {
            this.subject = subject;
            this.body = body;
        }

        void send() {
            Connection connection = link.connection();
            CompletableFuture<Message> answer;
            try {
                answer = connection.requestWithTimeout(subject, body, timeout);
            } catch (RuntimeException e) {
                complete(null, e);
                return;
            }
            ScheduledFuture<?> timer;
            try {
                timer = scheduler.schedule(() -> answer.completeExceptionally(new TimeoutException(
                        "no answer from JetStream to " + subject + " within " + timeout)), timeout.toNanos(),
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException closing) {
                timer = null;
            }
            ScheduledFuture<?> t = timer;
            answer.whenComplete((message, error) -> {
                if (t != null) {
                    t.cancel(false);
                }
                complete(message, error);
            });
        }

        /** On an I/O thread, whatever thread learned the outcome (the timer's, say): the next request goes out there. */
        private void complete(Message message, Throwable error) {
            Runnable done = () -> {
                finished();
                settle(message, error);
            };
            try {
                io.execute(done);
            } catch (RejectedExecutionException closing) {
                done.run();
            }
        }

        private void settle(Message message, Throwable error) {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(message);
            }
        }
    }
}
