package dev.backplane.signalr;

/** An {@link Authenticator} refuses a request: it is answered 401 with this message. */
public class AuthenticationException extends Exception {

    public AuthenticationException(String message) {
        super(message);
    }
}
