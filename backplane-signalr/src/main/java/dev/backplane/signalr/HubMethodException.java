package dev.backplane.signalr;

/**
 * Thrown by a hub method to fail the call with a message the client may see: unlike other
 * exceptions, its message is always sent to the caller.
 */
public class HubMethodException extends RuntimeException {

    public HubMethodException(String message) {
        super(message);
    }

    public HubMethodException(String message, Throwable cause) {
        super(message, cause);
    }
}
