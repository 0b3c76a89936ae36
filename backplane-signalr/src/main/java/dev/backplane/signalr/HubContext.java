package dev.backplane.signalr;

import dev.backplane.hub.HubPresence;

/**
 * A hub from outside its methods: a background thread, a scheduled job, an HTTP handler of the
 * same process ({@link SignalRService#hubContext}), or another process on the same backplane
 * ({@link #open}). Thread-safe.
 */
public interface HubContext extends AutoCloseable {

    HubClients clients();

    GroupManager groups();

    /** Who is connected to the hub, on every node. */
    HubPresence presence();

    /**
     * A context for a process without connections (a worker, another service) on {@code backplane}:
     * it sends to the clients of {@code hub} on every node. The backplane stays the caller's.
     */
    static HubContext open(dev.backplane.Backplane backplane, dev.backplane.hub.HubOptions options) {
        return new SendingContext(dev.backplane.hub.HubContext.open(backplane, options), true);
    }

    /** Closes a context made by {@link #open}; a server's own context is closed with the server. */
    @Override
    void close();
}
