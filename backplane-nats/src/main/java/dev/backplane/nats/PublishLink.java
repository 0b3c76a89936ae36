package dev.backplane.nats;

import dev.backplane.spi.Backoff;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.MessageHandler;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The connection JetStream publishes go out on, apart from the one that reads: one that never
 * reconnects by itself ({@link NatsLink#openCompanion}), replaced by a new one when it breaks.
 *
 * <p>Why: jnats, when it reconnects a connection, sends what it still held unwritten on the new
 * one, at once, before anything else. Publishes that were on the wire when the old connection died
 * and never reached the server would then be written again after newer ones the client carried
 * over, and stored after them. A connection that is closed on a break drops what it held, so every
 * publish the server did not acknowledge is written again by the publisher, in its order, on the
 * new connection ({@link JetStreamPublisher}).
 *
 * <p>Replacing happens on one of the client's I/O threads, with growing, jittered pauses between
 * attempts ({@link Backoff}), until it works or the backplane closes.
 */
final class PublishLink implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PublishLink.class.getName());
    private static final String ROLE = "publish";

    private final NatsLink link;
    private final String inbox;
    private final MessageHandler answers;
    private final Runnable onConnected;
    private final Runnable onLost;
    private final Backoff backoff;
    private final AtomicBoolean replacing = new AtomicBoolean();
    private final Events events = new Events();
    private volatile Connection connection;
    private volatile long epoch;
    private volatile boolean closed;

    /**
     * Connects, waiting at most the connect timeout (failures as for {@link NatsLink#open}).
     *
     * @param inbox the subject prefix answers come to ({@code inbox.*}), subscribed on every connection
     * @param answers handles them, on the connection's dispatcher thread
     * @param onConnected runs on an I/O thread after each replacement
     * @param onLost runs on the event thread when the connection breaks
     */
    PublishLink(NatsLink link, String inbox, MessageHandler answers, Runnable onConnected, Runnable onLost) {
        this.link = link;
        this.inbox = inbox;
        this.answers = answers;
        this.onConnected = onConnected;
        this.onLost = onLost;
        Duration first = link.settings().reconnectWait();
        this.backoff = new Backoff(first, first.compareTo(Duration.ofSeconds(2)) > 0 ? first : Duration.ofSeconds(2));
        install(link.openCompanion(ROLE, events));
    }

    /** The connection now; check {@link #connected()} first. */
    Connection connection() {
        return connection;
    }

    /** Whether the connection is up. */
    boolean connected() {
        Connection c = connection;
        return c != null && c.getStatus() == Connection.Status.CONNECTED;
    }

    /** Counts connections: changes when a new one replaces a broken one. */
    long epoch() {
        return epoch;
    }

    private void install(Connection c) {
        c.createDispatcher().subscribe(inbox + ".*", answers);
        epoch++;
        connection = c;
        if (c.getStatus() == Connection.Status.CLOSED) {
            lost(c); // it broke before it was installed: nobody else will notice
        }
    }

    private void lost(Connection c) {
        if (closed || c != connection) {
            return;
        }
        onLost.run();
        if (replacing.compareAndSet(false, true)) {
            try {
                link.execute(this::replace);
            } catch (RejectedExecutionException closing) {
                replacing.set(false);
            }
        }
    }

    private void replace() {
        while (!closed) {
            try {
                Connection c = link.openCompanion(ROLE, events);
                if (closed) {
                    NatsLink.closeQuietly(c);
                    return;
                }
                backoff.reset();
                replacing.set(false);
                install(c);
                onConnected.run();
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "reconnecting the JetStream publishing connection failed", e);
                if (!backoff.pause()) {
                    replacing.set(false);
                    return;
                }
            }
        }
        replacing.set(false);
    }

    @Override
    public void close() {
        closed = true;
        NatsLink.closeQuietly(connection);
    }

    private final class Events implements ConnectionListener {
        @Override
        @SuppressWarnings("deprecation")
        public void connectionEvent(Connection conn, ConnectionListener.Events type) {
            if (type == ConnectionListener.Events.DISCONNECTED || type == ConnectionListener.Events.CLOSED) {
                lost(conn);
            }
        }
    }
}
