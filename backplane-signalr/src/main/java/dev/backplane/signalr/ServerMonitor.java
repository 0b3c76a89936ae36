package dev.backplane.signalr;

import dev.backplane.Registration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/** Where a service's endpoints report each connection that ended, for {@link SignalRMetrics}. */
final class ServerMonitor {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServerMonitor.class);

    private final List<SignalRMetrics.ConnectionClosed> listeners = new CopyOnWriteArrayList<>();

    void closed(TransportType transport, String status, long nanos) {
        for (SignalRMetrics.ConnectionClosed l : listeners) {
            try {
                l.closed(transport, status, nanos);
            } catch (RuntimeException e) {
                LOG.debug("a connection-closed recorder threw", e);
            }
        }
    }

    Registration add(SignalRMetrics.ConnectionClosed listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return () -> listeners.remove(listener);
    }
}
