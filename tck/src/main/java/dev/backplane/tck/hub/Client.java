package dev.backplane.tck.hub;

import dev.backplane.hub.ConnectionSink;
import dev.backplane.hub.HubInvocation;
import dev.backplane.hub.HubMessage;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.KitTimeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection's sink in the kit: it records what the client receives as {@code method[args]} text,
 * checks that calls for it never overlap, and answers invocations as told.
 */
public final class Client implements ConnectionSink {

    /** How the client answers invocations. */
    public enum Answers {
        /** Answers {@code "method:args"} as a JSON string. */
        ECHO,
        /** Answers with the error {@code "refused method"}. */
        ERROR,
        /** Never answers. */
        NEVER
    }

    private final String name;
    private final AsyncFailures failures;
    private volatile Answers answers = Answers.ECHO;
    private final List<String> received = new ArrayList<>();
    private final List<HubInvocation> invocations = new ArrayList<>();
    private volatile Thread inCall;
    private volatile String id;

    private final Duration patience;

    Client(String name, AsyncFailures failures, Duration patience) {
        this.name = name;
        this.failures = failures;
        this.patience = patience;
    }

    void connected(String connectionId) {
        this.id = connectionId;
    }

    /** The connection id. */
    public String id() {
        return id;
    }

    public Client answers(Answers how) {
        this.answers = how;
        return this;
    }

    @Override
    public void send(HubMessage message) {
        enter();
        try {
            synchronized (this) {
                received.add(message.method() + message.argumentsText());
                notifyAll();
            }
        } finally {
            inCall = null;
        }
    }

    @Override
    public void invoke(HubInvocation invocation) {
        enter();
        try {
            synchronized (this) {
                invocations.add(invocation);
            }
            switch (answers) {
                case ECHO -> invocation.complete(invocation.method() + ":" + invocation.argumentsText());
                case ERROR -> invocation.fail("refused " + invocation.method());
                case NEVER -> { }
            }
        } finally {
            inCall = null;
        }
    }

    private void enter() {
        Thread current = Thread.currentThread();
        Thread other = inCall;
        if (other != null && other != current) {
            failures.add(new AssertionError("sink of " + name + " called concurrently from " + current.getName()
                    + " while " + other.getName() + " was in a call"));
        }
        inCall = current;
    }

    /** How many invocations the client's sink was handed. */
    public synchronized int invocationCount() {
        return invocations.size();
    }

    /** What the client received, in order. */
    public synchronized List<String> texts() {
        return List.copyOf(received);
    }

    /** Waits until the client received {@code count} messages; fails naming what it got otherwise. */
    public synchronized List<String> awaitCount(int count) {
        Duration timeout = patience;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(name + " received " + received.size() + " of " + count
                        + " expected message(s) within " + timeout + ": " + summary());
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        return List.copyOf(received);
    }

    /** Waits until {@code text} arrived. */
    public synchronized void awaitText(String text) {
        Duration timeout = patience;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!received.contains(text)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(name + " did not receive " + text + " within " + timeout + "; received: "
                        + summary());
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Waits the quiet period and returns what was received by then. */
    public List<String> settle() {
        try {
            Thread.sleep(KitTimeouts.quiet().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return texts();
    }

    private String summary() {
        List<String> shown = received.stream().limit(20)
                .map(t -> t.length() <= 80 ? t : t.substring(0, 40) + "...(" + t.length() + " characters)").toList();
        return received.size() <= 20 ? shown.toString() : shown + " ... " + (received.size() - 20) + " more";
    }

    @Override
    public String toString() {
        return name + "(" + id + ")";
    }
}
