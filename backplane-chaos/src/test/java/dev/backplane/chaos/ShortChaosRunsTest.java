package dev.backplane.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short version of each fault scenario of {@code bin/chaos}, one transport each, so that a
 * regression fails the build: three hub node processes on a private broker, a numbered load, the
 * fault, and every client's account checked by the run's own invariants (no node declared dead, no
 * send failed outside a fault, at least once: nothing accepted lost, duplicated or reordered; at
 * most once: no loss without a gap).
 */
class ShortChaosRunsTest {

    private static final int RATE = 200;
    private static final Duration SENDING = Duration.ofSeconds(8);
    // Undisturbed traffic before the fault and after it: long enough, with room for the reconnect
    // back-off, for every transport to be delivering again before the sender stops.
    private static final Duration STEADY = Duration.ofSeconds(5);

    @TempDir
    Path work;

    @Test
    void aBrokerKilledUnderLoadLosesNoAcceptedMessageOnRedisStreams() throws Exception {
        Map<String, Object> r = run(settings("redis-streams", "kill", ChaosSettings.Fault.KILL, Duration.ofSeconds(1)));
        assertHeld(r);
        assertThat(r.get("lost")).as("accepted messages lost at clients").isEqualTo(0L);
    }

    @Test
    void aBrokerPausedPastEveryTimeoutDeclaresNoNodeDeadOnRedisPubSub() throws Exception {
        assertHeld(run(settings("redis", "pause", ChaosSettings.Fault.PAUSE, Duration.ofSeconds(6))));
    }

    @Test
    void aTenSecondOutageDeclaresNoNodeDeadOnJetStream() throws Exception {
        Map<String, Object> r = run(settings("jetstream", "outage", ChaosSettings.Fault.KILL, Duration.ofSeconds(10)));
        assertHeld(r);
        assertThat(r.get("lost")).as("accepted messages lost at clients").isEqualTo(0L);
    }

    @Test
    void aNodeCutOffFromTheBrokerDeclaresNobodyDeadAndMissesNothingOnceHealedOnRedisStreams() throws Exception {
        // Past the death bound (3 heartbeats): the others declare it dead, it declares nobody, and it is back.
        Map<String, Object> r = run(settings("redis-streams", "partition", ChaosSettings.Fault.PARTITION,
                Duration.ofSeconds(5)));
        assertHeld(r);
        assertThat(r.get("lost")).as("accepted messages lost at clients").isEqualTo(0L);
    }

    @Test
    void aKilledNodeIsDeclaredDeadByEveryOtherNodeAndNothingElseFailsOnRedisPubSub() throws Exception {
        Map<String, Object> r = run(settings("redis", "node-kill", ChaosSettings.Fault.NODE_KILL, Duration.ZERO));
        assertHeld(r);
        assertThat(r.get("presenceNodesAtEnd")).as("nodes in presence at the end").isEqualTo(2);
    }

    private static ChaosSettings settings(String transport, String scenario, ChaosSettings.Fault fault,
            Duration length) {
        return new ChaosSettings(transport, scenario, 3, 6, 4, RATE, 10, SENDING, Duration.ofSeconds(1),
                List.of(new ChaosSettings.Outage(fault, Duration.ofSeconds(3), length))).withSteady(STEADY);
    }

    private Map<String, Object> run(ChaosSettings settings) throws Exception {
        Map<String, Object> r = new ChaosRun(settings, work).run();
        System.out.println(ChaosMain.summary(r));
        return r;
    }

    private static void assertHeld(Map<String, Object> r) {
        assertThat(r.get("violations")).as("what must hold in a %s run on %s: %s", r.get("scenario"),
                r.get("transport"), ChaosMain.summary(r)).isEqualTo(List.of());
        assertThat((long) (int) r.get("accepted")).as("sends accepted").isGreaterThan(RATE);
        assertThat((List<?>) r.get("outages")).as("faults injected").hasSize(1);
    }
}
