package dev.backplane.signalr;

/**
 * Turns a request into a user, or refuses it. Called for negotiate and for every transport
 * request (WebSocket upgrade, Server-Sent Events, long polls and sends), on a request thread of the
 * host; keep it quick (verify a signature, look up a cache).
 */
@FunctionalInterface
public interface Authenticator {

    /** Lets everyone in, anonymously. */
    Authenticator ANONYMOUS = request -> null;

    /**
     * @return the user, or null for an anonymous request (refused by hubs marked {@link Authorize})
     * @throws AuthenticationException to refuse the request (401, with the exception's message)
     */
    UserIdentity authenticate(AuthenticationRequest request) throws AuthenticationException;
}
