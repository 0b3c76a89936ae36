package dev.backplane;

/** How many times a published message reaches each subscription that was active when it was published. */
public enum DeliveryGuarantee {
    /**
     * Zero or one time. Messages published while a subscriber is disconnected from the broker are
     * lost for that subscriber; the transport reports each such outage with
     * {@link Subscriber#onGap(Gap)}. {@link Delivery#ack()} is a no-op.
     */
    AT_MOST_ONCE,
    /**
     * One or more times. Messages published while a subscriber is disconnected are delivered when
     * it reconnects. A delivery that is not {@linkplain Delivery#ack() acknowledged} within
     * {@link BackplaneConfig#ackTimeout()} is delivered again to the same subscription.
     */
    AT_LEAST_ONCE
}
