package dev.backplane.spi;

import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Subscriber;

/**
 * The subscriber {@link AbstractBackplane} hands a transport: counts each delivery and gap in the
 * backplane's {@link BackplaneMonitor}, then passes it on. {@link SubscriberDispatch} recognises it
 * and reports its backlog to the same monitor.
 */
final class MonitoredSubscriber implements Subscriber {

    final String channel;
    final Subscriber target;
    final BackplaneMonitor monitor;

    MonitoredSubscriber(String channel, Subscriber target, BackplaneMonitor monitor) {
        this.channel = channel;
        this.target = target;
        this.monitor = monitor;
    }

    @Override
    public void onMessage(Delivery delivery) {
        monitor.delivered(channel, delivery);
        target.onMessage(delivery);
    }

    @Override
    public void onGap(Gap gap) {
        monitor.gap(gap);
        target.onGap(gap);
    }

    @Override
    public String toString() {
        return target.toString();
    }
}
