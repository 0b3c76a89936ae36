package dev.backplane;

/** One message delivered to one subscription. */
public interface Delivery {

    /** The logical channel the message was published to (without the prefix). */
    String channel();

    /** The payload, byte for byte as published. The array belongs to the receiver. */
    byte[] payload();

    /** Where the message sits in the channel, or {@link Position#NONE} without replay. */
    Position position();

    /** True when this message was delivered to this subscription before and not acknowledged. */
    boolean redelivered();

    /**
     * Acknowledges the delivery. On an {@link DeliveryGuarantee#AT_LEAST_ONCE} transport an
     * unacknowledged delivery is delivered again after {@link BackplaneConfig#ackTimeout()};
     * acknowledging stops that. On an {@link DeliveryGuarantee#AT_MOST_ONCE} transport it does
     * nothing. Idempotent, callable from any thread.
     */
    void ack();
}
