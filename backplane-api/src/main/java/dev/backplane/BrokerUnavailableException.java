package dev.backplane;

/**
 * The broker did not answer, or refused, within the configured time. The operation did not take
 * effect on the broker: a publish that fails with it was not accepted.
 */
public class BrokerUnavailableException extends BackplaneException {
    public BrokerUnavailableException(String message) {
        super(message);
    }

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
