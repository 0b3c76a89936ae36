package dev.backplane.examples.hub;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The demo's logic in one JVM, each part on a backplane of its own: two nodes and a sender. With
 * {@code mem://demo} it needs no broker. Exits with status 1 unless connections on both nodes got
 * the group message.
 */
public final class DemoInOneProcess {

    private DemoInOneProcess() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args.length > 0 ? args[0] : "mem://demo";
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        try (Backplane b1 = Backplanes.open(uri); Backplane b2 = Backplanes.open(uri); Backplane b3 = Backplanes.open(uri);
                DemoNode n1 = DemoNode.start(b1, "node-1", "lobby", 2, out);
                DemoNode n2 = DemoNode.start(b2, "node-2", "lobby", 2, out)) {
            DemoSender.send(b3, "lobby", "hello", 2, out);
            long deadline = System.currentTimeMillis() + 10_000;
            while (count(captured, "received announce") < 4 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        boolean ok = count(captured, "[node-1] node-1-user") == 2 && count(captured, "[node-2] node-2-user") == 2;
        System.out.println(ok ? "OK: connections on both nodes received the group message once"
                : "FAILED: expected 2 deliveries on each node");
        System.exit(ok ? 0 : 1);
    }

    private static int count(ByteArrayOutputStream captured, String what) {
        String text = captured.toString(StandardCharsets.UTF_8);
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
