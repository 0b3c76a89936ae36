package dev.backplane.nats;

import io.nats.client.impl.SocketDataPortWithWriteTimeout;
import java.io.IOException;
import java.net.Socket;

/**
 * jnats' socket with a write timeout (its default), whose TLS connections close at once. Not part
 * of the backplane's API: public only because jnats creates it from its class name
 * ({@code Options.Builder.dataPortType}).
 *
 * <p>When jnats closes a connection it stops its reader by shutting down the socket's input, and
 * waits up to a second for it. On a TLS socket jnats shuts down nothing (an {@code SSLSocket}
 * refuses a half close), so the reader stays blocked in its read and every close of a TLS
 * connection, or drop before a reconnect, takes that whole second. Here the input of the TCP socket
 * under the TLS one is shut down instead: the reader's read ends at once, as on a plain socket.
 */
public final class PromptlyClosingTlsDataPort extends SocketDataPortWithWriteTimeout {

    private volatile Socket plain;

    /** For jnats, which creates its data ports by reflection. */
    public PromptlyClosingTlsDataPort() {
    }

    @Override
    public void upgradeToSecure() throws IOException {
        Socket underneath = socket;
        super.upgradeToSecure();
        plain = underneath;
    }

    @Override
    public void shutdownInput() throws IOException {
        Socket underneath = plain;
        if (isSecure && underneath != null) {
            underneath.shutdownInput();
        } else {
            super.shutdownInput();
        }
    }
}
