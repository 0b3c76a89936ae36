package dev.backplane;

/** Base class of the exceptions a backplane raises for reasons other than bad arguments. */
public class BackplaneException extends RuntimeException {
    public BackplaneException(String message) {
        super(message);
    }

    public BackplaneException(String message, Throwable cause) {
        super(message, cause);
    }
}
