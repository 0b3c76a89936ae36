package dev.backplane.signalr;

import dev.backplane.Registration;
import java.util.Arrays;
import java.util.Objects;

/** Where a service's endpoints report each connection that ended, for {@link SignalRMetrics}. */
final class ServerMonitor {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServerMonitor.class);

    private volatile SignalRMetrics.ConnectionClosed[] listeners = new SignalRMetrics.ConnectionClosed[0];

    void closed(TransportType transport, String status, long nanos) {
        for (SignalRMetrics.ConnectionClosed l : listeners) {
            try {
                l.closed(transport, status, nanos);
            } catch (RuntimeException e) {
                LOG.debug("a connection-closed recorder threw", e);
            }
        }
    }

    synchronized Registration add(SignalRMetrics.ConnectionClosed listener) {
        Objects.requireNonNull(listener, "listener");
        SignalRMetrics.ConnectionClosed[] more = Arrays.copyOf(listeners, listeners.length + 1);
        more[more.length - 1] = listener;
        listeners = more;
        return () -> {
            synchronized (this) {
                listeners = Arrays.stream(listeners).filter(l -> l != listener)
                        .toArray(SignalRMetrics.ConnectionClosed[]::new);
            }
        };
    }
}
