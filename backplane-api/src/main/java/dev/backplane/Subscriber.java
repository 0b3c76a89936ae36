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
     * Messages may have been lost for this subscription: the transport lost its connection while
     * at-most-once, or a replay started before the oldest retained message. Delivery continues
     * after the gap. The default does nothing.
     */
    default void onGap(Gap gap) {
    }
}
