package dev.backplane.hub;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers for error texts shared by the hub's parts. */
final class Failures {

    static final String UNKNOWN_CONNECTION = "unknown-connection";
    static final String CLIENT = "client-error";

    private Failures() {
    }

    /** The exception inside the future wrappers. */
    static Throwable rootCause(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The exception a caller gets for an error reply with {@code code}. */
    static RuntimeException forCode(String code, String message) {
        return switch (code) {
            case UNKNOWN_CONNECTION -> new UnknownConnectionException(message);
            case CLIENT -> new ClientInvocationException(message);
            default -> new HubException(message);
        };
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
