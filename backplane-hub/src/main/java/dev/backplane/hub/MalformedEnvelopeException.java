package dev.backplane.hub;

/** Bytes from the broker that are not an envelope this version understands. */
final class MalformedEnvelopeException extends Exception {
    MalformedEnvelopeException(String message) {
        super(message);
    }

    MalformedEnvelopeException(String message, Throwable cause) {
        super(message, cause);
    }
}
