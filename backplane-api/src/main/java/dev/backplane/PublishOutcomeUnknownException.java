package dev.backplane;

/**
 * A publish whose outcome nobody can know: the message was written to the broker, and then the
 * connection broke or the broker stayed silent past {@link BackplaneConfig#publishTimeout()}, so
 * the broker may or may not have stored it. Subscribers may receive it. A caller that retries
 * may cause a duplicate, which receivers that de-duplicate (the hub layer does) absorb.
 *
 * <p>Its superclass, {@link BrokerUnavailableException} on its own, means the opposite: the
 * message was never written, so it surely was not published and a retry cannot duplicate it.
 */
public class PublishOutcomeUnknownException extends BrokerUnavailableException {
    public PublishOutcomeUnknownException(String message) {
        super(message);
    }

    public PublishOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
