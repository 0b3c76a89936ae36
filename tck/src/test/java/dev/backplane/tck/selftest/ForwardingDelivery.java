package dev.backplane.tck.selftest;

import dev.backplane.Delivery;
import dev.backplane.Position;

/** A delivery that answers from another; faulty variants override what they break. */
class ForwardingDelivery implements Delivery {

    protected final Delivery delegate;

    ForwardingDelivery(Delivery delegate) {
        this.delegate = delegate;
    }

    @Override
    public String channel() {
        return delegate.channel();
    }

    @Override
    public byte[] payload() {
        return delegate.payload();
    }

    @Override
    public Position position() {
        return delegate.position();
    }

    @Override
    public boolean redelivered() {
        return delegate.redelivered();
    }

    @Override
    public void ack() {
        delegate.ack();
    }
}
