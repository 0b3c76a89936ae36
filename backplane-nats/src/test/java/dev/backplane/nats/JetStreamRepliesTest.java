package dev.backplane.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.impl.NatsMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The short readings of acknowledgements and reply subjects agree with what JetStream writes. */
class JetStreamRepliesTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anAcknowledgementGivesItsSequenceAndAnErrorAnswerIsLeftToJnats() {
        assertThat(JetStreamReplies.acknowledgedSequence(utf8("{\"stream\":\"chat\",\"seq\":4711}"))).isEqualTo(4711);
        assertThat(JetStreamReplies.acknowledgedSequence(utf8("{\"stream\":\"chat\", \"seq\": 12,\"duplicate\":true}")))
                .isEqualTo(12);
        assertThat(JetStreamReplies.acknowledgedSequence(utf8("{\"error\":{\"code\":503,\"err_code\":10077}}")))
                .isEqualTo(-1);
        assertThat(JetStreamReplies.acknowledgedSequence(new byte[0])).isEqualTo(-1);
    }

    @Test
    void bothFormsOfTheReplySubjectGiveSequenceStoreTimeAndPending() {
        long stored = 1_764_630_000_123_456_789L;
        NatsMessage v1 = NatsMessage.builder().subject("p.c")
                .replyTo("$JS.ACK.chat.cons1.1.42.7." + stored + ".3").build();
        NatsMessage v2 = NatsMessage.builder().subject("p.c")
                .replyTo("$JS.ACK.hub.ACCHASH.chat.cons1.1.42.7." + stored + ".3.tok").build();
        for (NatsMessage m : new NatsMessage[] {v1, v2}) {
            JetStreamReplies.Delivered d = JetStreamReplies.delivered(m);
            assertThat(d.streamSequence()).isEqualTo(42);
            assertThat(d.storedMillis()).isEqualTo(stored / 1_000_000);
            assertThat(d.pending()).isEqualTo(3);
        }
    }
}
