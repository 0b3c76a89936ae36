package dev.backplane.tck.selftest;

import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Subscriber;

/** A subscriber that hands deliveries and gaps to another; faulty variants override onMessage. */
abstract class ForwardingSubscriber implements Subscriber {

    protected final Subscriber target;

    ForwardingSubscriber(Subscriber target) {
        this.target = target;
    }

    @Override
    public void onMessage(Delivery delivery) {
        target.onMessage(delivery);
    }

    @Override
    public void onGap(Gap gap) {
        target.onGap(gap);
    }
}
