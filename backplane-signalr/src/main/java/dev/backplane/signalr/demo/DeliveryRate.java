package dev.backplane.signalr.demo;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.signalr.Hub;
import dev.backplane.signalr.SignalRService;
import dev.backplane.signalr.jetty.JettyHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures deliveries per second to WebSocket clients: {@code nodes} server nodes on one backplane,
 * {@code clients} JSON WebSocket clients spread over them (the JDK's client), and a sender that
 * sends {@code messages} messages to all through node 1's hub context, at most {@code window}
 * ahead of the slowest client. A delivery is one message reaching one client. Bounded in count
 * and time; loopback only.
 *
 * <pre>
 *   java ... dev.backplane.signalr.demo.DeliveryRate BACKPLANE_URI NODES CLIENTS MESSAGES
 * </pre>
 */
public final class DeliveryRate {

    /** An empty hub: the load comes from the server side. */
    public static final class LoadHub extends Hub {
        public String echo(String s) {
            return s;
        }
    }

    private DeliveryRate() {
    }

    public static void main(String[] args) throws Exception {
        String uri = args.length > 0 ? args[0] : "mem://rate";
        int nodeCount = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int clientCount = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int messages = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        List<Backplane> backplanes = new ArrayList<>();
        List<SignalRService> services = new ArrayList<>();
        List<JettyHost> hosts = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < nodeCount; i++) {
                Backplane b = Backplanes.open(uri);
                backplanes.add(b);
                SignalRService s = SignalRService.builder(b).hub("/load", LoadHub.class, LoadHub::new).build();
                services.add(s);
                hosts.add(JettyHost.start(s, JettyHost.Options.port(0)));
            }
            HttpClient http = HttpClient.newHttpClient();
            AtomicLong delivered = new AtomicLong();
            CountDownLatch handshakes = new CountDownLatch(clientCount);
            CountDownLatch done = new CountDownLatch(clientCount);
            for (int i = 0; i < clientCount; i++) {
                String url = hosts.get(i % nodeCount).baseUrl().replace("http", "ws") + "/load";
                sockets.add(http.newWebSocketBuilder().buildAsync(URI.create(url), new Counter(messages, delivered,
                        handshakes, done)).get(10, TimeUnit.SECONDS));
            }
            for (WebSocket ws : sockets) {
                ws.sendText("{\"protocol\":\"json\",\"version\":1}\u001e", true);
            }
            if (!handshakes.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not every client finished its handshake");
            }
            var ctx = services.get(0).hubContext("/load");
            long start = System.nanoTime();
            long window = 200;
            for (int m = 0; m < messages; m++) {
                ctx.clients().all().send("tick", m, "payload-of-some-length-0123456789").join();
                // Stay at most `window` messages ahead of the slowest client: no unbounded queues.
                while ((long) (m + 1) * clientCount - delivered.get() > window * clientCount) {
                    Thread.onSpinWait();
                    if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(120)) {
                        throw new IllegalStateException("the clients fell behind for 120 s");
                    }
                }
            }
            boolean all = done.await(60, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            long total = delivered.get();
            System.out.printf("%s nodes=%d clients=%d messages=%d: %d of %d deliveries in %.2f s = %.0f deliveries/s%s%n",
                    uri.replaceAll("\\?.*", ""), nodeCount, clientCount, messages, total, (long) messages * clientCount,
                    seconds, total / seconds, all ? "" : " (INCOMPLETE)");
        } finally {
            sockets.forEach(WebSocket::abort);
            hosts.forEach(JettyHost::close);
            services.forEach(SignalRService::close);
            backplanes.forEach(Backplane::close);
        }
    }

    /** Counts the invocations a client receives (one per message; pings and the handshake excluded). */
    private static final class Counter implements WebSocket.Listener {
        private final int expected;
        private final AtomicLong delivered;
        private final CountDownLatch handshakes;
        private final CountDownLatch done;
        private int mine;
        private boolean handshaken;

        Counter(int expected, AtomicLong delivered, CountDownLatch handshakes, CountDownLatch done) {
            this.expected = expected;
            this.delivered = delivered;
            this.handshakes = handshakes;
            this.done = done;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            for (int i = 0; i < data.length(); i++) {
                if (data.charAt(i) == '\u001e') {
                    if (!handshaken) {
                        handshaken = true;
                        handshakes.countDown();
                    }
                }
            }
            String s = data.toString();
            int at = 0;
            while ((at = s.indexOf("\"type\":1,", at)) >= 0) {
                at++;
                delivered.incrementAndGet();
                if (++mine == expected) {
                    done.countDown();
                }
            }
            ws.request(1);
            return null;
        }
    }

}
