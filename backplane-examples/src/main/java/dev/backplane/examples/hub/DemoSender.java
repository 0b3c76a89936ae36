package dev.backplane.examples.hub;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.hub.HubContext;
import dev.backplane.hub.HubOptions;
import dev.backplane.hub.Target;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A process without connections (a worker, another service) that sends to a group of the demo hub.
 * It waits until presence shows the expected number of nodes, so the demo does not race their start.
 *
 * <pre>
 *   java ... dev.backplane.examples.hub.DemoSender redis://127.0.0.1:PORT?prefix=demo lobby "hello" 2
 * </pre>
 */
public final class DemoSender {

    private DemoSender() {
    }

    /** Sends {@code text} to {@code group} once {@code expectedNodes} nodes with members are visible. */
    public static void send(Backplane backplane, String group, String text, int expectedNodes, PrintStream out)
            throws Exception {
        try (HubContext context = HubContext.open(backplane, HubOptions.of("demo"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (context.presence().nodes().size() < expectedNodes
                    || context.presence().groupMembers(group).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + context.presence().nodes().size() + " of " + expectedNodes
                            + " node(s) visible after 15 s");
                }
                Thread.sleep(20);
            }
            out.println("[sender] sees nodes " + context.presence().nodes() + " and " + context.presence()
                    .groupMembers(group).size() + " member(s) of '" + group + "'; sending");
            context.send(Target.group(group), "announce", text, "from a process without connections")
                    .get(10, TimeUnit.SECONDS);
            out.println("[sender] sent");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: DemoSender BACKPLANE_URI GROUP TEXT [EXPECTED_NODES=2]");
            System.exit(2);
        }
        try (Backplane backplane = Backplanes.open(args[0])) {
            send(backplane, args[1], args[2], args.length > 3 ? Integer.parseInt(args[3]) : 2, System.out);
        }
    }
}
