package dev.backplane.signalr;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket client that speaks frames, not SignalR: for protocol edge cases and bad input. */
final class RawClient implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String RS = "\u001e";

    final BlockingQueue<String> received;
    final CompletableFuture<String> closed;
    final WebSocket socket;

    private RawClient(WebSocket socket, BlockingQueue<String> received, CompletableFuture<String> closed) {
        this.socket = socket;
        this.received = received;
        this.closed = closed;
    }

    static HttpResponse<String> post(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens a socket to {@code hubUrl} (http://...) with the query given; fails with the status when refused. */
    static RawClient open(String hubUrl, String query) throws Exception {
        String ws = hubUrl.replaceFirst("^http", "ws") + (query.isEmpty() ? "" : "?" + query);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        CompletableFuture<String> closed = new CompletableFuture<>();
        StringBuilder text = new StringBuilder();
        java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    received.add(text.toString());
                    text.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                binary.writeBytes(b);
                if (last) {
                    received.add("binary:" + java.util.HexFormat.of().formatHex(binary.toByteArray()));
                    binary.reset();
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode + " " + reason);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete("error " + error);
            }
        };
        WebSocket socket = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(ws), listener).get(10, TimeUnit.SECONDS);
        return new RawClient(socket, received, closed);
    }

    void sendText(String s) {
        socket.sendText(s, true).join();
    }

    void sendBinary(byte[] b) {
        socket.sendBinary(ByteBuffer.wrap(b), true).join();
    }

    /** The next message, or fails after the wait limit. */
    String next() throws InterruptedException {
        String m = received.poll(TwoNodes.waitLimit().toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + TwoNodes.waitLimit() + "; closed: " + closed.getNow(null));
        }
        return m;
    }

    /** The next message that is not a Ping. */
    String nextNotPing() throws InterruptedException {
        while (true) {
            String m = next();
            if (!m.equals("{\"type\":6}" + RS)) {
                return m;
            }
        }
    }

    /** Handshakes with JSON and returns the server's answer. */
    String handshakeJson() throws InterruptedException {
        sendText("{\"protocol\":\"json\",\"version\":1}" + RS);
        return next();
    }

    String closeStatus() throws Exception {
        return closed.get(TwoNodes.waitLimit().toMillis(), TimeUnit.MILLISECONDS);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            socket.abort();
        }
    }
}
