package dev.backplane.hub;

/** The client answered an invocation with an error, or could not take it. */
public class ClientInvocationException extends HubException {
    public ClientInvocationException(String message) {
        super(message);
    }
}
