package dev.backplane.nats;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Asks a NATS server directly why it refused a TLS connection, for the one case jnats does not
 * tell: with TLS 1.3 the client's side of the handshake is over before the server has checked the
 * client's certificate, so a server that wants one and got none (or one it does not trust) sends
 * its alert after the handshake, while jnats waits for the answer to its CONNECT; jnats keeps that
 * alert to itself and reports only that no server could be connected to.
 *
 * <p>The probe does what jnats does up to that point: reads the server's clear-text greeting
 * ({@code INFO {...}}), makes the TLS handshake with the same context, then reads. A server that
 * refused the client answers with the alert at once; one that accepted it waits for a CONNECT, and
 * the probe gives up after its short wait and reports nothing.
 */
final class TlsRefusalProbe {

    private static final int MAX_GREETING = 64 * 1024;

    private TlsRefusalProbe() {
    }

    /** The exception the server's answer raised, or null if it raised none within {@code wait}. */
    static IOException refusal(SSLContext context, String server, Duration wait) {
        URI uri = URI.create(server);
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, wait.toMillis()));
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), millis);
            raw.setSoTimeout(millis);
            skipGreeting(raw.getInputStream());
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, uri.getHost(), uri.getPort(),
                    true)) {
                tls.setUseClientMode(true);
                tls.startHandshake();
                tls.getInputStream().read();
                return null; // the server said something else, or closed without a word: no refusal to report
            }
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private static void skipGreeting(InputStream in) throws IOException {
        for (int i = 0; i < MAX_GREETING; i++) {
            int b = in.read();
            if (b < 0 || b == '\n') {
                return;
            }
        }
    }
}
