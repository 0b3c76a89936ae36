package dev.backplane.examples.chat;

import dev.backplane.micrometer.BackplaneMeters;
import dev.backplane.micrometer.HubNodeMeters;
import dev.backplane.micrometer.SignalRServerMeters;
import dev.backplane.signalr.SignalREndpoint;
import dev.backplane.signalr.demo.ChatServer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The chat demo's nodes, each with its own Prometheus registry at {@code /metrics} (backplane, hub
 * node and SignalR server meters, tagged with the node's name) and its health at {@code /health}.
 *
 * <pre>
 *   java ... dev.backplane.examples.chat.ChatDemo BACKPLANE_URI NODE_NAME[,NODE_NAME...] PORT[,PORT...] SIGNALR_BROWSER_DIR
 * </pre>
 * Several names start several nodes in this process. Prints {@code READY NODE_NAME URL} for each
 * once it serves, and runs until killed.
 */
public final class ChatDemo {

    private ChatDemo() {
    }

    /** Starts one node with its meters bound to a registry of its own. */
    public static ChatServer startNode(String uri, String name, int port, String browserDir) {
        return ChatServer.start(uri, name, port, browserDir, (backplane, service) -> {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Tags node = Tags.of("node", name);
            new BackplaneMeters(backplane, node).bindTo(registry);
            for (SignalREndpoint e : service.endpoints()) {
                new HubNodeMeters(e.node(), node).bindTo(registry);
            }
            new SignalRServerMeters(service, node).bindTo(registry);
            return registry::scrape;
        });
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: ChatDemo BACKPLANE_URI NODE_NAME[,NODE_NAME...] PORT[,PORT...] "
                    + "SIGNALR_BROWSER_DIR   (several names: several nodes in this process)");
            System.exit(2);
        }
        String[] names = args[1].split(",");
        String[] ports = args[2].split(",");
        List<ChatServer> nodes = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            ChatServer node = startNode(args[0], names[i], Integer.parseInt(ports[Math.min(i, ports.length - 1)]),
                    args[3]);
            nodes.add(node);
            System.out.println("READY " + names[i] + " " + node.url());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> nodes.forEach(ChatServer::close)));
        new CountDownLatch(1).await();
    }
}
