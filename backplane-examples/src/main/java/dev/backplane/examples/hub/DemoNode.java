package dev.backplane.examples.hub;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.hub.ConnectionSink;
import dev.backplane.hub.HubConnection;
import dev.backplane.hub.HubMessage;
import dev.backplane.hub.HubNode;
import dev.backplane.hub.HubOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * One server instance of the demo: a hub node with a few connections whose "clients" print what
 * they receive, all in one group. Runs until killed.
 *
 * <pre>
 *   java ... dev.backplane.examples.hub.DemoNode redis://127.0.0.1:PORT?prefix=demo node-1 lobby 2
 * </pre>
 */
public final class DemoNode implements AutoCloseable {

    private final HubNode node;
    private final List<HubConnection> connections = new ArrayList<>();

    private DemoNode(HubNode node) {
        this.node = node;
    }

    /** Starts a node named {@code name} with {@code count} printing connections, all added to {@code group}. */
    public static DemoNode start(Backplane backplane, String name, String group, int count, PrintStream out)
            throws Exception {
        DemoNode demo = new DemoNode(HubNode.start(backplane, HubOptions.of("demo")));
        for (int i = 1; i <= count; i++) {
            String user = name + "-user" + i;
            ConnectionSink printer = (HubMessage m) -> out.println("[" + name + "] " + user + " received "
                    + m.method() + " " + m.argumentsText());
            HubConnection c = demo.node.connect(user, printer).get();
            demo.node.addToGroup(c.id(), group).get();
            demo.connections.add(c);
        }
        out.println("[" + name + "] READY node " + demo.node.nodeId() + " with " + count + " connection(s) in group '"
                + group + "'");
        return demo;
    }

    public HubNode node() {
        return node;
    }

    @Override
    public void close() {
        node.close();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: DemoNode BACKPLANE_URI NODE_NAME GROUP [CONNECTIONS=2]");
            System.exit(2);
        }
        Backplane backplane = Backplanes.open(args[0]);
        DemoNode demo = start(backplane, args[1], args[2], args.length > 3 ? Integer.parseInt(args[3]) : 2, System.out);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.close();
            backplane.close();
            stop.countDown();
        }));
        stop.await();
    }
}
