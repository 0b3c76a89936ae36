package dev.backplane.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The presence view on a clock the test moves: nothing sleeps. */
class PresenceViewTest {

    private static final long MS = 1_000_000L;
    private static final long HEARTBEAT = 100 * MS;

    private final AtomicLong now = new AtomicLong(0);
    private final List<String> snapshotRequests = new ArrayList<>();
    private final PresenceView view = new PresenceView(now::get, HEARTBEAT, "self", 150 * MS);

    private void heartbeat(String node, long seq) {
        view.onPresence(node, seq, new PresenceBody(100, 3, List.of(), null), snapshotRequests::add);
    }

    private void snapshot(String node, long seq, String... connections) {
        List<PresenceBody.ConnectionState> state = new ArrayList<>();
        for (String c : connections) {
            state.add(new PresenceBody.ConnectionState(c, null, List.of()));
        }
        view.onPresence(node, seq, new PresenceBody(100, 3, List.of(), state), snapshotRequests::add);
    }

    private void advance(long millis) {
        now.addAndGet(millis * MS);
    }

    @Test
    void aViewThatNeverHeardItselfDoesNotClaimToHearTheBroker() {
        assertThat(view.hearsTheBroker()).as("just made, nothing heard").isFalse();
        heartbeat("other", 1);
        assertThat(view.hearsTheBroker()).as("heard another node only").isFalse();
        heartbeat("self", 1);
        assertThat(view.hearsTheBroker()).as("heard its own heartbeat").isTrue();
        assertThat(view.nodes()).as("the nodes once it hears itself").contains("self", "other");
    }

    @Test
    void aNodeSilentPastItsBoundIsDeclaredDeadWhileThisProcessHearsItself() {
        snapshot("other", 1, "c1");
        for (int i = 0; i < 4; i++) {
            advance(100);
            view.heardFromSelf();
        }
        assertThat(view.sweep()).containsExactly("other");
        assertThat(view.connections()).isEmpty();
    }

    @Test
    void noOneIsDeclaredDeadWhileThisProcessCannotHearItself() {
        snapshot("other", 1, "c1");
        advance(2_000); // the broker is gone: nobody heard, this process included
        assertThat(view.sweep()).as("cut off: silence proves nothing").isEmpty();
        assertThat(view.nodes()).contains("other");
        assertThat(view.connections()).containsExactly("c1");
    }

    @Test
    void afterHearingItselfAgainEveryNodeGetsTwoDeathBoundsToSpeak() {
        snapshot("other", 1, "c1");
        advance(2_000);
        view.sweep();
        view.heardFromSelf(); // the broker is back for this process
        for (int i = 0; i < 5; i++) { // 500 ms, under two bounds (2 x 300 ms): "other" may still be reconnecting
            advance(100);
            view.heardFromSelf();
            assertThat(view.sweep()).isEmpty();
        }
        advance(100); // past two bounds since the return, and still silent: now it is dead
        view.heardFromSelf();
        advance(1);
        assertThat(view.sweep()).containsExactly("other");
    }

    @Test
    void thisProcessNeverDeclaresItselfDead() {
        heartbeat("self", 1);
        advance(10_000);
        view.heardFromSelf();
        assertThat(view.sweep()).isEmpty();
        assertThat(view.nodes()).contains("self");
    }

    @Test
    void aSplitSnapshotAppliesOnceEveryPartHasCome() {
        PresenceBody part0 = new PresenceBody(100, 3, List.of(),
                List.of(new PresenceBody.ConnectionState("a", null, List.of())), 0, 2);
        PresenceBody part1 = new PresenceBody(100, 3, List.of(),
                List.of(new PresenceBody.ConnectionState("b", "u", List.of("g"))), 1, 2);
        view.onPresence("other", 5, part0, snapshotRequests::add);
        assertThat(view.connections()).as("one part of two").isEmpty();
        view.onPresence("other", 5, part1, snapshotRequests::add);
        assertThat(view.connections()).containsExactlyInAnyOrder("a", "b");
        assertThat(view.groupMembers("g")).containsExactly("b");
        // The next delta applies on top of the assembled snapshot.
        view.onPresence("other", 6, new PresenceBody(100, 3,
                List.of(new PresenceBody.Event(PresenceBody.Event.DISCONNECT, "a", null, null)), null),
                snapshotRequests::add);
        assertThat(view.connections()).containsExactly("b");
        assertThat(snapshotRequests).isEmpty();
    }

    @Test
    void partsOfAnOlderSnapshotAreNotMixedWithANewerOne() {
        view.onPresence("other", 5, new PresenceBody(100, 3, List.of(),
                List.of(new PresenceBody.ConnectionState("old", null, List.of())), 0, 2), snapshotRequests::add);
        view.onPresence("other", 7, new PresenceBody(100, 3, List.of(),
                List.of(new PresenceBody.ConnectionState("new0", null, List.of())), 0, 2), snapshotRequests::add);
        view.onPresence("other", 7, new PresenceBody(100, 3, List.of(),
                List.of(new PresenceBody.ConnectionState("new1", null, List.of())), 1, 2), snapshotRequests::add);
        assertThat(view.connections()).containsExactlyInAnyOrder("new0", "new1");
    }
}
