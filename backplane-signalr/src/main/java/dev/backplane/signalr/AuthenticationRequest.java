package dev.backplane.signalr;

/** What an {@link Authenticator} may look at in a request. */
public interface AuthenticationRequest {

    /**
     * The bearer token: the {@code Authorization: Bearer} header, else the {@code access_token}
     * query parameter (browsers cannot set headers on WebSockets or EventSource), else null.
     */
    String accessToken();

    /** A request header, or null. */
    String header(String name);

    /** A query parameter, or null. */
    String queryParameter(String name);

    /** A cookie's value, or null. */
    String cookie(String name);
}
