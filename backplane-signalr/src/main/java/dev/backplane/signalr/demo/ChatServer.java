package dev.backplane.signalr.demo;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.signalr.AuthenticationException;
import dev.backplane.signalr.SignalROptions;
import dev.backplane.signalr.SignalRService;
import dev.backplane.signalr.UserIdentity;
import dev.backplane.signalr.jetty.JettyHost;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * One node of the chat demo: the chat hub at {@code /chat} and the chat page, on its own port,
 * on a backplane. The page's name field is the user id (sent as the access token).
 *
 * <pre>
 *   java ... dev.backplane.signalr.demo.ChatServer BACKPLANE_URI NODE_NAME PORT SIGNALR_BROWSER_DIR
 * </pre>
 * Prints {@code READY NODE_NAME http://127.0.0.1:PORT/} once it serves, and runs until killed.
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
        Backplane backplane = Backplanes.open(backplaneUri);
        try {
            SignalRService service = SignalRService.builder(backplane)
                    .hub("/chat", ChatHub.class, () -> new ChatHub(nodeName))
                    .options(SignalROptions.defaults().withAuthenticator(ChatServer::nameFromToken))
                    .build();
            JettyHost host = JettyHost.start(service, JettyHost.Options.port(port)
                    .withStaticRoots(List.of("classpath:dev/backplane/signalr/chat", signalrBrowserDir)));
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

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: ChatServer BACKPLANE_URI NODE_NAME[,NODE_NAME...] PORT[,PORT...] "
                    + "SIGNALR_BROWSER_DIR   (several names: several nodes in this process)");
            System.exit(2);
        }
        String[] names = args[1].split(",");
        String[] ports = args[2].split(",");
        List<ChatServer> nodes = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            ChatServer node = start(args[0], names[i], Integer.parseInt(ports[Math.min(i, ports.length - 1)]),
                    args[3]);
            nodes.add(node);
            System.out.println("READY " + names[i] + " " + node.url());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> nodes.forEach(ChatServer::close)));
        new CountDownLatch(1).await();
    }
}
