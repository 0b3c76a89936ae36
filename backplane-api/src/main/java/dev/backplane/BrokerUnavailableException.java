package dev.backplane;

/**
 * The broker did not answer, or refused, within the configured time, so the operation was not
 * confirmed. For a publish this means one of two things, and the message says which: the broker
 * never received the message (it was not sent), or the message was written just before the
 * connection broke and no reply came back, so nobody can know whether the broker stored it.
 * Either way the publish was not reported as a success; a caller that retries may cause a
 * duplicate in the second case, which receivers that de-duplicate (the hub layer does) absorb.
 */
public class BrokerUnavailableException extends BackplaneException {
    public BrokerUnavailableException(String message) {
        super(message);
    }

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
