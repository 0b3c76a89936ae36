package dev.backplane.nats;

import dev.backplane.BrokerUnavailableException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Publishes in call order, holding them while the client cannot take them (the connection is
 * down, or its write queue is full) and sending them when it can again.
 *
 * <p>A held publish was never given to the client, so failing it is exact: it will not be sent
 * later. Held publishes are bounded by bytes ({@code outboxBytes}; a publish that does not fit
 * fails at once) and by time (each fails at its deadline, {@code publishTimeout} after the call).
 * Order: a publish goes straight to the client only when nothing is held, so none overtakes an
 * earlier one.
 */
final class Outbox {

    /** Hands a publish to the client; returns false, having sent nothing, if the client cannot take it now. */
    interface Sender {
        boolean trySend(PendingPublish publish);
    }

    private final Deque<PendingPublish> held = new ArrayDeque<>();
    private final long maxBytes;
    private final Sender sender;
    private final BooleanSupplier connected;
    private final String broker;
    private long heldBytes;
    private boolean closed;

    /**
     * @param maxBytes bytes that may be held; 0 fails every publish made while the client cannot take it
     * @param connected whether the connection is up, so that sending is worth trying
     * @param broker the broker's address, for messages
     */
    Outbox(long maxBytes, Sender sender, BooleanSupplier connected, String broker) {
        this.maxBytes = maxBytes;
        this.sender = sender;
        this.connected = connected;
        this.broker = broker;
    }

    /** Sends {@code publish} now if the client takes it and nothing is held, holds it otherwise. */
    synchronized void submit(PendingPublish publish) {
        if (closed) {
            publish.fail(new BrokerUnavailableException("the backplane was closed before the publish to '"
                    + publish.subject + "' was sent; it was not sent"));
            return;
        }
        if (held.isEmpty() && connected.getAsBoolean() && sender.trySend(publish)) {
            return;
        }
        hold(publish);
    }

    /** Puts publishes that must go out again (in call order) ahead of everything held. */
    synchronized void requeueFirst(List<PendingPublish> publishes) {
        for (int i = publishes.size() - 1; i >= 0; i--) {
            PendingPublish p = publishes.get(i);
            if (!p.done()) {
                held.addFirst(p);
                heldBytes += p.size();
            }
        }
    }

    /** Sends held publishes, in order, while the client takes them. */
    synchronized void drain() {
        while (!held.isEmpty() && connected.getAsBoolean()) {
            PendingPublish next = held.peekFirst();
            if (!next.done() && !sender.trySend(next)) {
                return;
            }
            held.removeFirst();
            heldBytes -= next.size();
        }
    }

    /** Fails the held publishes whose deadline has passed. */
    synchronized void expire(long now) {
        Iterator<PendingPublish> it = held.iterator();
        while (it.hasNext()) {
            PendingPublish p = it.next();
            if (p.done() || p.expired(now)) {
                it.remove();
                heldBytes -= p.size();
                p.fail(new BrokerUnavailableException("NATS at " + broker + " could not take the publish to '"
                        + p.subject + "' within publishTimeout" + (p.sent
                                ? "; it was sent once before the connection was lost and may have been stored"
                                : "; it was not sent")));
            }
        }
    }

    synchronized boolean isEmpty() {
        return held.isEmpty();
    }

    /** Fails everything held and refuses what comes after. */
    synchronized void close() {
        closed = true;
        List<PendingPublish> left = new ArrayList<>(held);
        held.clear();
        heldBytes = 0;
        left.forEach(p -> p.fail(new BrokerUnavailableException("the backplane was closed while the publish to '"
                + p.subject + "' waited for NATS at " + broker + (p.sent
                        ? "; it was sent once before the connection was lost and may have been stored"
                        : "; it was not sent"))));
    }

    private void hold(PendingPublish publish) {
        if (heldBytes + publish.size() > maxBytes) {
            publish.fail(new BrokerUnavailableException("NATS at " + broker + " cannot take the publish to '"
                    + publish.subject + "' now and the outbox is full (outboxBytes=" + maxBytes
                    + "); it was not sent. Retry later, or raise outboxBytes"));
            return;
        }
        held.addLast(publish);
        heldBytes += publish.size();
    }
}
