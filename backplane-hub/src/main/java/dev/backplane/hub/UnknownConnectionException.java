package dev.backplane.hub;

/** The connection id is not one of this hub's, or its owner node does not hold it (any more). */
public class UnknownConnectionException extends HubException {
    public UnknownConnectionException(String message) {
        super(message);
    }
}
