package dev.backplane.tck.selftest;

import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;

/** Capabilities a faulty backplane declares in place of its delegate's. */
final class DeclaredCapabilities {

    private DeclaredCapabilities() {
    }

    /** Capabilities as {@code c}, with another guarantee, replay flag or maximum payload. */
    static Capabilities changed(Capabilities c, DeliveryGuarantee guarantee, boolean replay, int maxPayloadBytes) {
        return new Capabilities(c.transport(), guarantee, replay, c.orderedPerPublisher(), maxPayloadBytes,
                c.cheapChannels());
    }
}
