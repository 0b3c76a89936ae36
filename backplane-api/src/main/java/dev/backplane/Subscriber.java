package dev.backplane;

/**
 * Receives the messages of one subscription. Calls for one subscription never overlap and come in
 * the transport's declared order. A subscriber should return quickly; an exception it throws is
 * logged and the delivery stays unacknowledged.
 */
@FunctionalInterface
public interface Subscriber {

    /** One message. Call {@link Delivery#ack()} once it has been handled. */
    void onMessage(Delivery delivery);

    /**
     * Messages may have been lost for this subscription. Causes: an at-most-once transport lost
     * its connection; a replay started before the oldest retained message; a live subscription
     * fell behind what the broker retains; the broker came back without its data; a subscriber
     * too slow for the transport's bounded backlog. Delivery continues after the gap. The default
     * does nothing.
     */
    default void onGap(Gap gap) {
    }
}
