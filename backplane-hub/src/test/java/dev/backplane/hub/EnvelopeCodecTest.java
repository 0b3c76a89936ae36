package dev.backplane.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {

    private static Envelope send(Target target) {
        return new Envelope(Envelope.Kind.SEND, "abcdefghijkl", 42, target, "", "newMessage",
                "[\"alice\",\"hi ✓\"]".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyFieldSurvivesARoundTrip() throws Exception {
        for (Target target : List.of(Target.all(), Target.allExcept("a.1", "b.2"), Target.connections("x.1", "y.2"),
                Target.groupExcept("room ✓", "c.3"), Target.groups("a", "b"), Target.users("u1", "u2"))) {
            Envelope in = send(target);
            Envelope out = EnvelopeCodec.decode(EnvelopeCodec.encode(in));
            assertThat(out.kind()).isEqualTo(in.kind());
            assertThat(out.sender()).isEqualTo(in.sender());
            assertThat(out.seq()).isEqualTo(42);
            assertThat(out.target()).isEqualTo(target);
            assertThat(out.name()).isEqualTo("newMessage");
            assertThat(out.payload()).isEqualTo(in.payload());
            assertThat(out.messageId()).isEqualTo("abcdefghijkl:42");
        }
    }

    @Test
    void controlEnvelopesWithoutTargetRoundTrip() throws Exception {
        Envelope in = Envelope.control(Envelope.Kind.REPLY_ERROR, "n1", 7, null, "corr-9", "unknown-connection",
                "why".getBytes(StandardCharsets.UTF_8));
        Envelope out = EnvelopeCodec.decode(EnvelopeCodec.encode(in));
        assertThat(out.target()).isNull();
        assertThat(out.correlation()).isEqualTo("corr-9");
        assertThat(out.name()).isEqualTo("unknown-connection");
        assertThat(new String(out.payload(), StandardCharsets.UTF_8)).isEqualTo("why");
    }

    @Test
    void theHeaderIsSmall() {
        byte[] bytes = EnvelopeCodec.encode(new Envelope(Envelope.Kind.SEND, "abcdefghijkl", 1, Target.group("room"), "",
                "m", new byte[0]));
        assertThat(bytes.length).as("header of a group send").isLessThan(48);
    }

    @Test
    void emptyAndTooShortInputIsMalformed() {
        assertThatThrownBy(() -> EnvelopeCodec.decode(new byte[0])).isInstanceOf(MalformedEnvelopeException.class)
                .hasMessageContaining("too short");
        assertThatThrownBy(() -> EnvelopeCodec.decode(new byte[] {1})).isInstanceOf(MalformedEnvelopeException.class);
    }

    @Test
    void anotherVersionIsMalformedAndNamed() {
        byte[] bytes = EnvelopeCodec.encode(send(Target.all()));
        bytes[0] = 9;
        assertThatThrownBy(() -> EnvelopeCodec.decode(bytes)).isInstanceOf(MalformedEnvelopeException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void anUnknownKindIsMalformed() {
        byte[] bytes = EnvelopeCodec.encode(send(Target.all()));
        bytes[1] = (byte) 200;
        assertThatThrownBy(() -> EnvelopeCodec.decode(bytes)).isInstanceOf(MalformedEnvelopeException.class)
                .hasMessageContaining("kind 200");
    }

    @Test
    void everyTruncationIsMalformed() {
        byte[] bytes = EnvelopeCodec.encode(send(Target.groups("a", "b")));
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> EnvelopeCodec.decode(cut)).as("truncated to %d bytes", length)
                    .isInstanceOf(MalformedEnvelopeException.class);
        }
    }

    @Test
    void trailingBytesAreMalformed() {
        byte[] bytes = EnvelopeCodec.encode(send(Target.all()));
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> EnvelopeCodec.decode(padded)).isInstanceOf(MalformedEnvelopeException.class)
                .hasMessageContaining("payload length");
    }

    @Test
    void plainTextIsMalformed() {
        assertThatThrownBy(() -> EnvelopeCodec.decode("{\"hello\":1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEnvelopeException.class);
    }

    @Test
    void anInvalidTargetIsMalformed() {
        // An ALL target that carries names is not something an encoder of this version writes.
        byte[] bytes = EnvelopeCodec.encode(send(Target.group("g")));
        int targetKindAt = 2 + 2 + "abcdefghijkl".length() + 8;
        bytes[targetKindAt] = 1;
        assertThatThrownBy(() -> EnvelopeCodec.decode(bytes)).isInstanceOf(MalformedEnvelopeException.class)
                .hasMessageContaining("invalid target");
    }
}
