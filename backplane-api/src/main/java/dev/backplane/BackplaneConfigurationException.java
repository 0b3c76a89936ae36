package dev.backplane;

/** A URI or option that cannot be used: unknown scheme, unknown option, malformed value. */
public class BackplaneConfigurationException extends BackplaneException {
    public BackplaneConfigurationException(String message) {
        super(message);
    }

    public BackplaneConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
