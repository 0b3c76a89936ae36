package dev.backplane.hub;

/** A hub operation that could not be done; subclasses say why. */
public class HubException extends RuntimeException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
