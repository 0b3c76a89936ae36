package dev.backplane.hub;

/** The owner node did not answer in time (it may be gone without presence having noticed yet). */
public class HubTimeoutException extends HubException {
    public HubTimeoutException(String message) {
        super(message);
    }
}
