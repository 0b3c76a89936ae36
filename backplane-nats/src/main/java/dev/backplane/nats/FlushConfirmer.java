package dev.backplane.nats;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.spi.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Completes core NATS publishes once the server has them. A core publish has no acknowledgement of
 * its own, but the server handles a connection's input in order: when the PONG to a PING sent after
 * a publish arrives on the same connection, the server has processed the publish. One round trip
 * confirms every publish sent before it, so publishes are confirmed in batches on one thread.
 *
 * <ul>
 *   <li>PONG on the connection the publish went out on, no refusal: the future completes.
 *   <li>The server refused the subject (permissions): it fails with
 *       {@link BackplaneConfigurationException}.
 *   <li>No PONG before the publish's deadline, or the PONG came on a new connection after a
 *       reconnect: it fails with {@link BrokerUnavailableException} saying that the message may or
 *       may not have reached subscribers. Core NATS cannot tell; it is never reported as accepted.
 * </ul>
 */
final class FlushConfirmer implements AutoCloseable {

    private final NatsLink link;
    private final LinkedBlockingQueue<PendingPublish> unconfirmed = new LinkedBlockingQueue<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Thread thread;
    private volatile boolean closed;

    FlushConfirmer(NatsLink link, String name) {
        this.link = link;
        this.thread = new DaemonThreads(name).newThread(this::run);
        thread.start();
    }

    /** Notes a publish just handed to the client. Call in send order. */
    void track(PendingPublish publish) {
        outstanding.incrementAndGet();
        unconfirmed.add(publish);
    }

    private void run() {
        List<PendingPublish> batch = new ArrayList<>();
        while (!closed) {
            try {
                PendingPublish first = unconfirmed.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                unconfirmed.drainTo(batch);
                confirm(batch);
            } catch (InterruptedException e) {
                batch.forEach(p -> p.fail(inDoubt(p, "the backplane was closed before the server confirmed it")));
            } finally {
                outstanding.addAndGet(-batch.size());
                batch.clear();
            }
        }
        failLeft();
    }

    private void confirm(List<PendingPublish> batch) throws InterruptedException {
        // The oldest publish has the earliest deadline; the round trip may take until then.
        long remaining = batch.get(0).deadlineNanos - System.nanoTime();
        try {
            link.roundTrip(Duration.ofNanos(Math.max(remaining, 1)));
        } catch (TimeoutException | IllegalStateException e) {
            batch.forEach(p -> p.fail(inDoubt(p, "NATS did not confirm it within publishTimeout")));
            return;
        }
        long reconnects = link.reconnects();
        PermissionViolations violations = link.violations();
        for (PendingPublish p : batch) {
            if (violations.refusedSince(PermissionViolations.Kind.PUBLISH, p.subject, p.violationMark)) {
                p.fail(new BackplaneConfigurationException("NATS at " + link.description() + " refused the publish to '"
                        + p.subject + "' (Permissions Violation); allow this user to publish to the prefix's subjects"));
            } else if (p.reconnectsAtSend != reconnects) {
                p.fail(inDoubt(p, "the connection to NATS was lost before the server confirmed it"));
            } else {
                p.result.complete(Position.NONE);
            }
        }
    }

    private BrokerUnavailableException inDoubt(PendingPublish p, String why) {
        return new BrokerUnavailableException("publish to '" + p.subject + "' at " + link.description() + ": " + why
                + "; core NATS cannot tell whether subscribers got it, so treat it as not delivered (at most once)");
    }

    private void failLeft() {
        List<PendingPublish> left = new ArrayList<>();
        unconfirmed.drainTo(left);
        left.forEach(p -> p.fail(inDoubt(p, "the backplane was closed before the server confirmed it")));
    }

    /**
     * Confirms what was published so far, waiting at most {@code timeout}, then stops; publishes
     * still unconfirmed fail.
     */
    void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
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
