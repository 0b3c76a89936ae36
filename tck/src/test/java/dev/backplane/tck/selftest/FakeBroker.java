package dev.backplane.tck.selftest;

import dev.backplane.spi.DaemonThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback socket that accepts connections and holds them, standing in for a broker where the
 * kit counts connections to one (the {@code leakConnection} fault). Started once per JVM.
 */
final class FakeBroker {

    static final int PORT;
    private static final List<Socket> ACCEPTED = new CopyOnWriteArrayList<>();

    static {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            PORT = server.getLocalPort();
            new DaemonThreads("fake-broker").newThread(() -> {
                while (!server.isClosed()) {
                    try {
                        ACCEPTED.add(server.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the fake broker's socket", e);
        }
    }

    private FakeBroker() {
    }
}
