package dev.backplane.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.PublishOutcomeUnknownException;
import dev.backplane.tck.KitTimeouts;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A publish that was written and never answered fails with {@link PublishOutcomeUnknownException}
 * at its deadline, whatever the connection does; a server of the test's own is frozen (SIGSTOP) or
 * killed (SIGKILL) for it.
 */
class PublishOutcomeTest extends OwnNatsServerTest {

    private static Throwable failureOf(CompletableFuture<Position> publish, Duration within) {
        Opened.awaitDone(publish, within);
        assertThat(publish).isCompletedExceptionally();
        return assertThatThrownBy(publish::join).actual().getCause();
    }

    /** Waits until the backplane noticed the outage: a publish made now is not written. */
    static void awaitDisconnected(Backplane backplane) {
        java.util.function.BooleanSupplier up = backplane instanceof NatsBackplane core ? core.link()::connected
                : ((JetStreamBackplane) backplane)::publishing;
        long deadline = System.nanoTime() + KitTimeouts.delivery().toNanos();
        while (up.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the backplane did not notice the outage within " + KitTimeouts.delivery());
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void aCoreNatsPublishTheServerNeverAnswersFailsAtItsDeadlineAsOfUnknownOutcome() {
        Backplane a = opened.open("nats://" + server.address(), Map.of("publishTimeout", "1s"));
        Opened.await(a.publish("c", utf8("before")));
        server.freeze();
        CompletableFuture<Position> publish = a.publish("c", utf8("unanswered"));
        Throwable error = failureOf(publish, Duration.ofSeconds(1).plus(KitTimeouts.grace()));
        assertThat(error).isInstanceOf(PublishOutcomeUnknownException.class).hasMessageContaining("may or may not");
    }

    @Test
    void aCoreNatsPublishCutOffByAReconnectBeforeItsPongFailsAsOfUnknownOutcome() {
        Backplane a = opened.open("nats://" + server.address(), Map.of("publishTimeout", "20s"));
        Opened.await(a.publish("c", utf8("before")));
        server.freeze();
        CompletableFuture<Position> publish = a.publish("c", utf8("cut off"));
        server.kill();
        server.start();
        Throwable error = failureOf(publish, Duration.ofSeconds(20).plus(KitTimeouts.grace()));
        assertThat(error).isInstanceOf(PublishOutcomeUnknownException.class);
        assertThat(Opened.await(a.publish("c", utf8("after")))).as("publishing goes on").isEqualTo(Position.NONE);
    }

    @Test
    void aJetStreamPublishWithoutAcknowledgementFailsAtItsDeadlineAsOfUnknownOutcome() {
        Backplane a = opened.open("jetstream://" + server.address(), Map.of("publishTimeout", "1s"));
        Opened.await(a.publish("c", utf8("before")));
        server.freeze();
        CompletableFuture<Position> publish = a.publish("c", utf8("unacknowledged"));
        Throwable error = failureOf(publish, Duration.ofSeconds(1).plus(KitTimeouts.grace()));
        assertThat(error).isInstanceOf(PublishOutcomeUnknownException.class).hasMessageContaining("may or may not");
    }

    @Test
    void publishesNeverWrittenFailAsNotSentOnBothTransports() {
        for (String scheme : new String[] {"nats", "jetstream"}) {
            Backplane a = opened.open(scheme + "://" + server.address(), Map.of("publishTimeout", "500ms"));
            Opened.await(a.publish("c", utf8("before")));
            server.kill();
            awaitDisconnected(a);
            CompletableFuture<Position> publish = a.publish("c", utf8("never written"));
            Throwable error = failureOf(publish, Duration.ofMillis(500).plus(KitTimeouts.grace()));
            assertThat(error).as(scheme).isExactlyInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("not sent");
            server.start();
        }
    }
}
