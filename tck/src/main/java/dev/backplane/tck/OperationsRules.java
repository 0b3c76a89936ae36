package dev.backplane.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneEvent;
import dev.backplane.Health;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Transport rules T51 and T52: what a backplane tells its operator while its broker goes away and
 * comes back, through its events and its health. They stop and start the broker through
 * {@link BrokerControl}, with {@code connectTimeout} {@link KitTimeouts#connect()}. Part of
 * {@link BackplaneTck}; extend that class, not this one.
 *
 * <p>Ids T35 to T49 are held for rules written elsewhere.
 */
public abstract class OperationsRules extends GapAndReplayRules {

    /** A backplane that is demonstrably connected: a subscription that received a message. */
    private Backplane connectedInstance() {
        Backplane backplane = open(prefix(), Map.of(BackplaneConfig.CONNECT_TIMEOUT,
                KitTimeouts.connect().toMillis() + "ms"));
        Recorder r = subscribe(backplane, "ops");
        publish(backplane, "ops", "before");
        r.awaitCount(1, "a message was not delivered before the outage");
        return backplane;
    }

    /** The bound for noticing a stopped broker: twice connectTimeout, plus grace. */
    private static Duration lossBound() {
        return KitTimeouts.connect().multipliedBy(2).plus(KitTimeouts.grace());
    }

    @Test
    @DisplayName("T51 a broker stop raises ConnectionLost (with its cause) within twice connectTimeout, the restart "
            + "ConnectionRestored (with the downtime), in that order, to every listener, one event at a time")
    void t51_brokerStopRaisesLostAndRestartRaisesRestored() {
        Backplane backplane = connectedInstance();
        EventLog log = new EventLog();
        backplane.addListener(log::add);
        long stopping = System.nanoTime();
        stopBroker();
        BackplaneEvent.ConnectionLost lost = log.await(BackplaneEvent.ConnectionLost.class::isInstance, lossBound(),
                "no ConnectionLost event within twice connectTimeout (" + KitTimeouts.connect()
                        + ") + grace after the broker stopped: an operator is not told the broker is gone");
        assertThat(lost.cause()).as("cause of the ConnectionLost event").isNotBlank();
        assertThat(lost.source().transport()).as("transport named by the event")
                .isEqualTo(backplane.capabilities().transport());
        quietPeriod();
        assertThat(log.events()).as("events while the broker is down: nothing says the connection is back")
                .noneMatch(e -> e instanceof BackplaneEvent.ConnectionRestored);
        startBroker();
        BackplaneEvent.ConnectionRestored restored = log.await(BackplaneEvent.ConnectionRestored.class::isInstance,
                KitTimeouts.recovery(), "no ConnectionRestored event within " + KitTimeouts.recovery()
                        + " after the broker restarted: an operator is never told the broker is back");
        Duration outage = Duration.ofNanos(System.nanoTime() - stopping);
        assertThat(restored.downtime()).as("downtime of the ConnectionRestored event (the outage took %s)", outage)
                .isPositive().isLessThanOrEqualTo(outage);
        List<BackplaneEvent> connection = log.events().stream().filter(e -> e instanceof BackplaneEvent.ConnectionLost
                || e instanceof BackplaneEvent.ConnectionRestored).toList();
        for (int i = 0; i < connection.size(); i++) {
            assertThat(connection.get(i)).as("connection event %d of %s: lost and restored alternate, lost first",
                    i + 1, connection).isInstanceOf(i % 2 == 0 ? BackplaneEvent.ConnectionLost.class
                            : BackplaneEvent.ConnectionRestored.class);
        }
        assertThat(log.overlaps()).as("listener calls that overlapped another call of the same listener").isZero();
    }

    @Test
    @DisplayName("T52 health is DOWN within twice connectTimeout of a broker stop and never UP while it is down, "
            + "and UP again within " + "2 s of its return; its details say whether it is connected")
    void t52_healthFollowsTheBrokerDownAndBackUp() {
        Backplane backplane = connectedInstance();
        Health before = awaitHealth(backplane, Health.Status.UP, KitTimeouts.delivery(),
                "health is not UP while the broker is up and a subscription receives");
        assertThat(before.details()).as("details of a connected backplane's health").containsEntry("connected", true);
        stopBroker();
        Health down = awaitHealth(backplane, Health.Status.DOWN, lossBound(), "health is not DOWN within twice "
                + "connectTimeout (" + KitTimeouts.connect() + ") + grace after the broker stopped: a probe sees a "
                + "healthy backplane while its broker is gone");
        assertThat(down.details()).as("details of the health while the broker is down").containsEntry("connected",
                false);
        long watchUntil = System.nanoTime() + KitTimeouts.quiet().toNanos();
        while (System.nanoTime() < watchUntil) {
            assertThat(backplane.health().status()).as("health while the broker is down, after it was DOWN once")
                    .isEqualTo(Health.Status.DOWN);
            sleep(Duration.ofMillis(20));
        }
        startBroker();
        awaitHealth(backplane, Health.Status.UP, KitTimeouts.healthRecovery().plus(KitTimeouts.grace()),
                "health is not UP within " + KitTimeouts.healthRecovery() + " + grace after the broker came back");
    }

    private static Health awaitHealth(Backplane backplane, Health.Status status, Duration within, String failure) {
        long deadline = System.nanoTime() + within.toNanos();
        Health last = backplane.health();
        while (last.status() != status) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure + "; it was " + last.status() + " " + last.details());
            }
            sleep(Duration.ofMillis(20));
            last = backplane.health();
        }
        return last;
    }

    /** What a listener heard, in order, and whether its calls ever overlapped. */
    private static final class EventLog {
        private final List<BackplaneEvent> events = new ArrayList<>();
        private final AtomicInteger inCall = new AtomicInteger();
        private final AtomicInteger overlaps = new AtomicInteger();

        void add(BackplaneEvent event) {
            if (inCall.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            try {
                synchronized (this) {
                    events.add(event);
                    notifyAll();
                }
            } finally {
                inCall.decrementAndGet();
            }
        }

        synchronized List<BackplaneEvent> events() {
            return List.copyOf(events);
        }

        int overlaps() {
            return overlaps.get();
        }

        @SuppressWarnings("unchecked")
        synchronized <E extends BackplaneEvent> E await(Predicate<BackplaneEvent> match, Duration within, String failure) {
            long deadline = System.nanoTime() + within.toNanos();
            while (true) {
                for (BackplaneEvent e : events) {
                    if (match.test(e)) {
                        return (E) e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(failure + "; events heard: " + events);
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }
}
