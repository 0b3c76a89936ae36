package dev.backplane.hub;

import dev.backplane.spi.Completions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The caller's side of group commands and invocations: sends a request to the owner node of a
 * connection and awaits its reply, failing early whenever presence already knows it cannot come.
 *
 * <p>Start-up window: a process that just started may not have heard from a live owner yet (its
 * snapshot request is on its way). A request to an owner it does not know is then sent anyway; if
 * the owner is still unknown when the window closes (one death bound after start: every live node
 * has spoken by then), the request fails with {@link UnknownConnectionException} rather than waiting
 * for its whole timeout.
 */
final class RemoteRequests {

    private final HubOptions options;
    private final ChannelNames channels;
    private final PresenceView presence;
    private final EnvelopePublisher publisher;
    private final ScheduledExecutorService timer;
    private final PendingReplies pending;
    private final AtomicLong correlations = new AtomicLong();
    private final long warmAt;

    RemoteRequests(HubOptions options, ChannelNames channels, PresenceView presence, EnvelopePublisher publisher,
            ScheduledExecutorService timer, Completions completions) {
        this.options = options;
        this.channels = channels;
        this.presence = presence;
        this.publisher = publisher;
        this.timer = timer;
        this.pending = new PendingReplies(timer, completions);
        this.warmAt = System.nanoTime() + options.deathBound().toNanos();
    }

    /** Sends a command to the connection's owner and awaits its answer. */
    CompletableFuture<byte[]> request(Envelope.Kind kind, String connectionId, String name, byte[] payload,
            Duration timeout, String what) {
        String owner;
        try {
            owner = Ids.ownerOf(connectionId);
        } catch (UnknownConnectionException e) {
            return CompletableFuture.failedFuture(e);
        }
        long untilWarm = warmAt - System.nanoTime();
        boolean warm = untilWarm <= 0;
        RuntimeException early = ownerProblem(owner, connectionId, what, warm);
        if (early != null) {
            return CompletableFuture.failedFuture(early);
        }
        String correlation = Long.toString(correlations.incrementAndGet());
        CompletableFuture<byte[]> answer;
        try {
            answer = pending.register(correlation, owner, timeout, () -> new HubTimeoutException(what + ": node " + owner
                    + " did not answer within " + timeout + " (it may have stopped; presence declares a silent node "
                    + "dead after " + options.deathBound() + ")"));
            if (!warm && untilWarm < timeout.toNanos()) {
                // Still unknown once every live node has spoken: it does not exist.
                timer.schedule(() -> {
                    RuntimeException problem = ownerProblem(owner, connectionId, what, true);
                    if (problem != null) {
                        pending.fail(correlation, problem);
                    }
                }, untilWarm, TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException(what + ": the hub is closing", e));
        }
        publisher.publishControl(channels.node(owner), kind, connectionId, correlation, name, payload)
                .whenComplete((p, e) -> {
                    if (e != null) {
                        Throwable cause = Failures.rootCause(e);
                        pending.fail(correlation, new HubException(what + ": the broker did not take the request: "
                                + cause.getMessage(), cause));
                    }
                });
        return answer;
    }

    /** Why a request to {@code owner} cannot succeed, known without asking it; null if it may. */
    private RuntimeException ownerProblem(String owner, String connectionId, String what, boolean warm) {
        return switch (presence.status(owner)) {
            case ALIVE -> null;
            case GONE -> new NodeGoneException(what + ": node " + owner + " that owned the connection "
                    + ("left".equals(presence.goneReason(owner)) ? "has left the hub" : "was declared dead (no heartbeat)"));
            case UNKNOWN -> warm ? new UnknownConnectionException(what + ": no live node " + owner + " in hub '"
                    + options.hub() + "', so connection " + connectionId + " does not exist") : null;
        };
    }

    /** A reply arrived: completes or fails the request it answers (ignored if that one is no longer waiting). */
    void onReply(Envelope e) {
        if (e.kind() == Envelope.Kind.REPLY_OK) {
            pending.complete(e.correlation(), e.payload());
        } else {
            pending.fail(e.correlation(), Failures.forCode(e.name(), new String(e.payload(),
                    java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    /** Fails at once every request waiting on a node that left or was declared dead. */
    void nodeGone(String node, Supplier<? extends RuntimeException> error) {
        pending.failNode(node, error);
    }

    void failAll(Supplier<? extends RuntimeException> error) {
        pending.failAll(error);
    }

    /** Requests still waiting; for tests. */
    int waiting() {
        return pending.size();
    }
}
