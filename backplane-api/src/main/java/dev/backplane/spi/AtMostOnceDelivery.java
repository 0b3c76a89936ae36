package dev.backplane.spi;

import dev.backplane.Delivery;
import dev.backplane.Position;

/** A delivery on an at-most-once transport: nothing to acknowledge, never redelivered. */
public record AtMostOnceDelivery(String channel, byte[] payload, Position position) implements Delivery {

    @Override
    public boolean redelivered() {
        return false;
    }

    /** Does nothing: an at-most-once transport never redelivers. */
    @Override
    public void ack() {
    }
}
