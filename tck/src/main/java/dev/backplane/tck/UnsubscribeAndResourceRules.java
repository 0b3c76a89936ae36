package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Transport rules T40 to T42: unsubscribing while deliveries are under way, and what a backplane
 * leaves behind. Part of {@link BackplaneTck}; extend that class, not this one.
 */
public abstract class UnsubscribeAndResourceRules extends FanOutAndNamingRules {

    /**
     * Where the broker behind {@link #backplaneUri()} listens, so that T42 can check that a closed
     * backplane leaves no connection to it open; empty (the default) skips that part of T42.
     */
    protected Optional<InetSocketAddress> brokerAddress() {
        return Optional.empty();
    }

    @Test
    @DisplayName("T40 close during a call: a subscription closed while its subscriber is inside onMessage receives "
            + "nothing published after close() returned, not even a burst published right after; close() does not "
            + "wait forever for the call")
    void t40_closeWhileTheSubscriberIsInACall() {
        Backplane a = open();
        Backplane b = open();
        Recorder closing = recorder("busy", true);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Subscription subscription = subscribe(a, "busy", (Subscriber) d -> {
            closing.onMessage(d);
            if (closing.size() == 1) {
                inside.countDown();
                try {
                    release.await(KitTimeouts.delivery().toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Recorder staying = subscribe(a, "busy");
        publish(b, "busy", "held");
        awaitLatch(inside, "the delivery of 'held' to its subscriber did not happen within " + KitTimeouts.delivery());
        // Closed from another thread while the call is under way; the call is let go once close()
        // returned or after the quiet period, for a transport whose close() waits for the call.
        CompletableFuture<Void> closed = CompletableFuture.runAsync(subscription::close);
        Outcome<Void> early = outcome(closed, System.nanoTime() + KitTimeouts.quiet().toNanos());
        release.countDown();
        Outcome<Void> late = early.done() ? early : outcome(closed, System.nanoTime() + KitTimeouts.delivery().toNanos());
        assertThat(late.done()).as("close() of a subscription whose subscriber was inside onMessage returned within %s "
                + "of the call's end (it hangs)", KitTimeouts.delivery()).isTrue();
        assertThat(late.failure()).as("failure of close() during a call").isNull();
        List<String> burst = numbered("after-close-", 200);
        concurrently(List.of(() -> publishAll(b, "busy", burst.subList(0, 100)),
                () -> publishAll(a, "busy", burst.subList(100, 200))));
        staying.awaitTexts(burst, KitTimeouts.delivery(), "another subscription of the channel on the same instance "
                + "stopped receiving when one was closed during a call");
        quietPeriod();
        assertThat(closing.texts()).as("deliveries to a subscription after its close() returned, close() having been "
                + "called while its subscriber was inside onMessage").containsExactly("held");
    }

    @Test
    @DisplayName("T41 resubscribe at once: closing the last subscription of a channel on an instance and subscribing "
            + "again right away gives a subscription that is active and stays active")
    void t41_resubscribingRightAfterTheLastCloseStaysActive() {
        Backplane a = open();
        Backplane b = open();
        Recorder elsewhere = subscribe(b, "again");
        Subscription current = subscribe(a, "again", recorder("again", true));
        for (int round = 0; round < 3; round++) {
            current.close();
            Recorder next = recorder("again", true);
            current = subscribe(a, "again", next);
            publish(b, "again", "right-after-" + round);
            next.awaitCount(1, "a subscription made right after closing the last one of its channel on the instance "
                    + "missed a message published right after: it was not active when its future completed, or the "
                    + "unsubscribe of the closed one took it along");
            // A late unsubscribe of the closed subscription must not take the new one with it.
            quietPeriod();
            publish(b, "again", "later-" + round);
            next.awaitTexts(List.of("later-" + round), KitTimeouts.delivery(), "a subscription made right after "
                    + "closing the last one of its channel on the instance stopped receiving: the unsubscribe of the "
                    + "closed one took it along");
        }
        elsewhere.awaitCount(6, "a subscription on another instance missed messages");
    }

    @Test
    @DisplayName("T42 resources: threads do not grow with subscriptions, and after close() no thread the backplane "
            + "started is alive and no connection it opened to the broker is left open")
    void t42_closeReleasesThreadsAndConnections() {
        Optional<InetSocketAddress> broker = brokerAddress().filter(x -> ProcessResources.canCountConnections());
        Set<String> connectionsBefore = broker.map(ProcessResources::connectionsTo).orElse(Set.of());
        ThreadGroup group = new ThreadGroup("tck-resources-" + prefix());
        Backplane[] x = new Backplane[1];
        ProcessResources.inGroup(group, () -> {
            x[0] = open();
            useChannels(x[0], 0, 10);
        });
        int withTen = ProcessResources.threadsOf(group).size();
        ProcessResources.inGroup(group, () -> useChannels(x[0], 10, 110));
        List<Thread> withMore = ProcessResources.threadsOf(group);
        assertThat(withMore.size() - withTen).as("threads the backplane started when 100 subscriptions were added to "
                + "10 (%d with 10, %d with 110: %s); threads must not grow with subscriptions", withTen,
                withMore.size(), names(withMore)).isLessThanOrEqualTo(10);
        ProcessResources.inGroup(group, () -> x[0].close());
        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
        List<Thread> left = ProcessResources.threadsOf(group);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(20));
            left = ProcessResources.threadsOf(group);
        }
        assertThat(names(left)).as("threads the backplane started that are still alive %s after its close() returned "
                + "(a thread left running after close)", KitTimeouts.delivery()).isEmpty();
        if (broker.isPresent()) {
            Set<String> opened = newConnections(broker.get(), connectionsBefore);
            while (!opened.isEmpty() && System.nanoTime() < deadline + KitTimeouts.delivery().toNanos()) {
                sleep(Duration.ofMillis(20));
                opened = newConnections(broker.get(), connectionsBefore);
            }
            assertThat(opened.size()).as("connections of this process to the broker at %s that were opened while "
                    + "the backplane was open and are still open %s after its close() returned (a connection left "
                    + "open after close)", broker.get(), KitTimeouts.delivery()).isZero();
        }
    }

    private static Set<String> newConnections(InetSocketAddress broker, Set<String> before) {
        Set<String> now = new java.util.HashSet<>(ProcessResources.connectionsTo(broker));
        now.removeAll(before);
        return now;
    }

    /** Subscribes to channels {@code res-from} up to {@code res-(to-1)} and sends one message through each. */
    private void useChannels(Backplane x, int from, int to) {
        List<Recorder> recorders = new ArrayList<>();
        List<CompletableFuture<Subscription>> subscribed = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Recorder r = recorder("res-" + i, true);
            recorders.add(r);
            subscribed.add(x.subscribe("res-" + i, r));
        }
        subscribed.forEach(f -> await(f, "a subscription of the resource rule"));
        // One at a time, so that the number of threads reflects the subscriptions, not a burst.
        for (Recorder r : recorders) {
            publish(x, r.channel(), "used");
            r.awaitCount(1, "a message of the resource rule was not delivered");
        }
    }

    private static List<String> names(List<Thread> threads) {
        return threads.stream().map(Thread::getName).toList();
    }
}
