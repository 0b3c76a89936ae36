package dev.backplane.signalr.demo;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.signalr.AuthenticationException;
import dev.backplane.signalr.SignalROptions;
import dev.backplane.signalr.SignalRService;
import dev.backplane.signalr.UserIdentity;
import dev.backplane.signalr.jetty.JettyHost;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * One node of the chat demo: the chat hub at {@code /chat} and the chat page, on its own port,
 * on a backplane, with {@code /health} (and {@code /metrics} when given). The page's name field
 * is the user id (sent as the access token). {@code bin/chat-demo} starts nodes of it from the
 * examples module, with metrics.
 */
public final class ChatServer implements AutoCloseable {

    private final Backplane backplane;
    private final SignalRService service;
    private final JettyHost host;

    private ChatServer(Backplane backplane, SignalRService service, JettyHost host) {
        this.backplane = backplane;
        this.service = service;
        this.host = host;
    }

    /**
     * Starts a node. {@code signalrBrowserDir} holds {@code signalr.min.js} (the npm package's
     * {@code dist/browser}); {@code port} 0 picks a free one.
     */
    public static ChatServer start(String backplaneUri, String nodeName, int port, String signalrBrowserDir) {
        return start(backplaneUri, nodeName, port, signalrBrowserDir, (backplane, service) -> null);
    }

    /**
     * As {@link #start(String, String, int, String)}, serving at {@code /metrics} the text that
     * {@code metrics} returns a source of, given the node's backplane and service (null: no
     * {@code /metrics}).
     */
    public static ChatServer start(String backplaneUri, String nodeName, int port, String signalrBrowserDir,
            BiFunction<Backplane, SignalRService, Supplier<String>> metrics) {
        Backplane backplane = Backplanes.open(backplaneUri);
        try {
            SignalRService service = SignalRService.builder(backplane)
                    .hub("/chat", ChatHub.class, () -> new ChatHub(nodeName))
                    .options(SignalROptions.defaults().withAuthenticator(ChatServer::nameFromToken))
                    .build();
            JettyHost.Options options = JettyHost.Options.port(port)
                    .withStaticRoots(List.of("classpath:dev/backplane/signalr/chat", signalrBrowserDir));
            Supplier<String> scrape = metrics.apply(backplane, service);
            JettyHost host = JettyHost.start(service, scrape == null ? options : options.withMetrics(scrape));
            return new ChatServer(backplane, service, host);
        } catch (RuntimeException e) {
            backplane.close();
            throw e;
        }
    }

    private static UserIdentity nameFromToken(dev.backplane.signalr.AuthenticationRequest request)
            throws AuthenticationException {
        String name = request.accessToken();
        if (name == null || name.isBlank()) {
            throw new AuthenticationException("choose a name first");
        }
        if (name.length() > 40) {
            throw new AuthenticationException("a name has at most 40 characters");
        }
        return UserIdentity.of(name.trim());
    }

    public String url() {
        return host.baseUrl() + "/";
    }

    @Override
    public void close() {
        host.close();
        service.close();
        backplane.close();
    }
}
