package dev.backplane;

/**
 * The broker did not answer, or refused, within the configured time, so the operation was not
 * confirmed. For a publish, this exception itself means the message was never written to the
 * broker: it surely was not published, and retrying cannot duplicate it. Its subclass
 * {@link PublishOutcomeUnknownException} means the message was written and no answer came back,
 * so the broker may have stored it.
 */
public class BrokerUnavailableException extends BackplaneException {
    public BrokerUnavailableException(String message) {
        super(message);
    }

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
