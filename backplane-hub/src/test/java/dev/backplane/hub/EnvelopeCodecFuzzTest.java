package dev.backplane.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link EnvelopeCodec#decode} on any bytes from the broker: an envelope or a
 * {@link MalformedEnvelopeException} with a message, never another exception, never an allocation
 * a length field asked for; an envelope built from the input survives encode and decode unchanged.
 */
class EnvelopeCodecFuzzTest {

    @FuzzTest(maxDuration = "3s")
    void decodesBrokerBytes(FuzzedDataProvider data) throws MalformedEnvelopeException {
        if (data.consumeBoolean()) {
            Envelope built = build(data);
            Envelope decoded = EnvelopeCodec.decode(EnvelopeCodec.encode(built));
            assertSame(decoded, built);
            return;
        }
        byte[] bytes = data.consumeRemainingAsBytes();
        Envelope decoded;
        try {
            decoded = EnvelopeCodec.decode(bytes);
        } catch (MalformedEnvelopeException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        // What decodes encodes back to an envelope that decodes the same.
        assertSame(EnvelopeCodec.decode(EnvelopeCodec.encode(decoded)), decoded);
    }

    private static Envelope build(FuzzedDataProvider data) {
        Envelope.Kind kind = data.pickValue(Envelope.Kind.values());
        String sender = data.consumeString(30);
        long seq = data.consumeLong();
        Target target = null;
        int targetCode = data.consumeInt(0, Target.Kind.values().length);
        if (targetCode > 0) {
            Target.Kind targetKind = Target.Kind.values()[targetCode - 1];
            List<String> names = new ArrayList<>();
            int n = targetKind == Target.Kind.ALL ? 0 : data.consumeInt(1, 4);
            for (int i = 0; i < n; i++) {
                names.add("n" + data.consumeString(20));
            }
            Set<String> excluded = new HashSet<>();
            int m = data.consumeInt(0, 3);
            for (int i = 0; i < m; i++) {
                excluded.add("x" + data.consumeString(20));
            }
            target = new Target(targetKind, names, excluded);
        }
        String correlation = data.consumeString(30);
        String name = data.consumeString(30);
        byte[] payload = data.consumeRemainingAsBytes();
        return new Envelope(kind, sender, seq, target, correlation, name, payload);
    }

    private static void assertSame(Envelope actual, Envelope expected) {
        assertThat(actual.kind()).isEqualTo(expected.kind());
        assertThat(actual.sender()).isEqualTo(expected.sender());
        assertThat(actual.seq()).isEqualTo(expected.seq());
        assertThat(actual.target()).isEqualTo(expected.target());
        assertThat(actual.correlation()).isEqualTo(expected.correlation());
        assertThat(actual.name()).isEqualTo(expected.name());
        assertThat(actual.payload()).isEqualTo(expected.payload());
    }
}
