package dev.backplane.signalr.protocol;

/** Input that breaks the hub protocol: the message says what was wrong. The connection is closed with it. */
public class ProtocolException extends RuntimeException {

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
