package dev.backplane.signalr;

import dev.backplane.Registration;

/**
 * What a {@link SignalRService} measures about its client connections, read live, for a metrics
 * library to bind to (the {@code backplane-micrometer} module names them as ASP.NET Core does:
 * {@code signalr.server.active_connections}, {@code signalr.server.connection.duration}).
 */
public interface SignalRMetrics {

    /** Connections open now on every hub of the service whose transport is {@code transport}. */
    int activeConnections(TransportType transport);

    /**
     * Calls {@code recorder} for each connection that ends, on the thread that ended it (quick,
     * never blocking, as a timer's record is).
     */
    Registration onConnectionClosed(ConnectionClosed recorder);

    /** Hears that a connection ended. */
    @FunctionalInterface
    interface ConnectionClosed {
        /**
         * @param transport its transport, or null if it never attached one
         * @param status {@code normal_closure}, {@code timeout} or {@code app_shutdown}
         * @param nanos how long it was open, from negotiate to its end
         */
        void closed(TransportType transport, String status, long nanos);
    }
}
