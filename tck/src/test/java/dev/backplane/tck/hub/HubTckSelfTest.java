package dev.backplane.tck.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/**
 * The scale-out kit checks itself: each deliberately faulty hub or backplane in {@link FaultyKits}
 * must fail the rule it breaks, with a message that says what went wrong. The healthy kit passing
 * is {@link MemoryHubTckTest}.
 */
class HubTckSelfTest {

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of(FaultyKits.ContextDropsSendsToAll.class, "s01_allReachesEveryConnectionOnce",
                        "expected message(s)"),
                Arguments.of(FaultyKits.IgnoresExcept.class, "s02_allExceptSkipsTheExcludedConnections",
                        "each exactly once, nothing else"),
                Arguments.of(FaultyKits.IgnoresExcept.class, "s04_groupReachesMembersOnly",
                        "each exactly once, nothing else"),
                Arguments.of(FaultyKits.MisroutesConnections.class, "s03_connectionsReachExactlyTheNamedConnections",
                        "each exactly once"),
                Arguments.of(FaultyKits.SplitsMultiTargets.class, "s05_overlappingGroupsDeliverOnce", "each exactly once"),
                Arguments.of(FaultyKits.SplitsMultiTargets.class, "s06_usersReachEachOfTheirConnectionsOnce",
                        "each exactly once"),
                Arguments.of(FaultyKits.Reorders.class, "s07_perSenderOrderOnEachRoute", "order of"),
                Arguments.of(FaultyKits.EarlyGroupAck.class, "s08_remoteGroupChangesApplyBeforeTheyComplete",
                        "did not receive"),
                Arguments.of(FaultyKits.StallsOnUnknownConnection.class, "s09_unknownConnectionFailsAtOnce",
                        "still pending"),
                Arguments.of(FaultyKits.WaitsForeverForAGoneOwner.class, "s10_ownerGoneFailsAfterTheTimeout",
                        "still pending"),
                Arguments.of(FaultyKits.NoCleanupOnDisconnect.class, "s11_disconnectCleansUpEverywhere",
                        "x gone from g1"),
                Arguments.of(FaultyKits.LocalOnlyPresence.class, "s12_presenceConverges", "did not converge"),
                Arguments.of(FaultyKits.NoTimelyDeathDetection.class, "s13_deadNodeIsDetectedAndCleanedUp",
                        "node c declared dead"),
                Arguments.of(FaultyKits.SwallowsClientErrors.class, "s14_clientResults", "should have failed"),
                Arguments.of(FaultyKits.SingleNamespace.class, "s15_hubsAreIsolated", "each exactly once"),
                Arguments.of(FaultyKits.IgnoresPrefix.class, "s16_prefixesAreIsolated", "each exactly once"),
                Arguments.of(FaultyKits.DiesOnMalformedInput.class, "s17_malformedEnvelopesAreCountedAndSkipped",
                        "expected message(s)"),
                Arguments.of(FaultyKits.ForgetsRedeliveredIds.class, "s18_redeliveriesReachAClientOnce",
                        "each exactly once"),
                Arguments.of(FaultyKits.IgnoresPayloadLimit.class, "s19_presenceHoldsAtScale",
                        "must be split, not refused"),
                Arguments.of(FaultyKits.HearsItselfDuringOutages.class, "s20_brokerOutageDeclaresNoNodeDead",
                        "declared dead during a broker outage"),
                Arguments.of(FaultyKits.ReordersInterleavedChannels.class, "s07_perSenderOrderOnEachRoute", "order of"),
                Arguments.of(FaultyKits.ConflatesNames.class, "s21_lookalikeGroupAndUserNamesStayApart",
                        "each exactly once"),
                Arguments.of(FaultyKits.FoldsRepeatedSends.class, "s22_repeatedAndLargeMessagesArriveExactly",
                        "expected message(s) within"),
                Arguments.of(FaultyKits.HealthIgnoresBackplane.class, "s23_healthAndEventsFollowTheBroker",
                        "a probe sees a healthy node while its broker is gone"));
    }

    @ParameterizedTest(name = "{0} fails {1}")
    @MethodSource("faults")
    void eachFaultFailsTheRuleItBreaks(Class<? extends HubTck> faulty, String rule, String expectedInMessage) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter(FaultyKits.SELF_TEST, "true")
                .selectors(selectMethod(faulty, rule))
                .execute();
        List<Event> finished = results.testEvents().finished().list();
        assertThat(finished).as("rule %s ran on %s", rule, faulty.getSimpleName()).hasSize(1);
        TestExecutionResult result = finished.get(0).getPayload(TestExecutionResult.class).orElseThrow();
        assertThat(result.getStatus()).as("outcome of %s on the faulty %s", rule, faulty.getSimpleName())
                .isEqualTo(TestExecutionResult.Status.FAILED);
        Throwable failure = result.getThrowable().orElseThrow();
        assertThat(describe(failure)).as("failure message of %s", rule).contains(expectedInMessage);
        assertThat(results.testEvents().list()).as("events").anyMatch(e -> e.getType() == EventType.FINISHED);
    }

    private static String describe(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(c.getMessage()).append(" / ");
        }
        return s.toString();
    }
}
