package dev.backplane.nats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.nats.client.impl.NatsMessage;

/**
 * {@link JetStreamReplies}' fast readers of what JetStream sends, against jnats' own parsers on
 * any input: a publish acknowledgement's sequence is the one jnats reads, or -1 (jnats decides);
 * a delivery's reply subject reads as jnats reads it, or not at all (jnats decides). Never an
 * exception from the fast paths.
 */
class JetStreamRepliesFuzzTest {

    @FuzzTest(maxDuration = "3s")
    void readsAcknowledgementsAndReplySubjects(FuzzedDataProvider data) {
        String reply = data.consumeString(120);
        byte[] ack = data.consumeRemainingAsBytes();

        long fast = JetStreamReplies.acknowledgedSequence(ack);
        if (fast >= 0) {
            long jnats;
            try {
                jnats = new PublishAck(NatsMessage.builder().subject("inbox").data(ack).build()).getSeqno();
            } catch (Exception e) {
                throw new AssertionError("the fast path read sequence " + fast + " from an answer jnats refuses: "
                        + e, e);
            }
            assertThat(fast).as("sequence of %s", new String(ack, java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(jnats);
        }

        JetStreamReplies.Delivered delivered = JetStreamReplies.fastDelivered(reply);
        if (delivered != null && !reply.isEmpty() && reply.indexOf(' ') < 0) {
            NatsJetStreamMetaData meta;
            try {
                meta = new NatsJetStreamMetaData(delivery(reply));
            } catch (RuntimeException e) {
                throw new AssertionError("the fast path read " + delivered + " from a reply subject jnats refuses: "
                        + e, e);
            }
            assertThat(delivered).as("reply subject %s", reply).isEqualTo(new JetStreamReplies.Delivered(
                    meta.streamSequence(), meta.timestamp().toInstant().toEpochMilli(), meta.pendingCount()));
        }
    }

    /** A message as a JetStream subscription hands it over (jnats reads metadata only of those). */
    private static NatsMessage delivery(String reply) {
        return new NatsMessage("s", reply, new byte[0]) {
            @Override
            public boolean isJetStream() {
                return true;
            }
        };
    }
}
