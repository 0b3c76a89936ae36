package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.BackplaneEvent;
import dev.backplane.BackplaneListener;
import dev.backplane.Health;
import dev.backplane.Registration;
import dev.backplane.spi.ForwardingBackplane;
import java.util.LinkedHashMap;
import java.util.Map;

/** Faults in what a backplane tells its operator about its broker connection. */
final class OperationsFaults {

    private OperationsFaults() {
    }

    private static boolean connectionEvent(BackplaneEvent e) {
        return e instanceof BackplaneEvent.ConnectionLost || e instanceof BackplaneEvent.ConnectionRestored;
    }

    /** Never raises ConnectionLost or ConnectionRestored, as a transport that does not report its connection. */
    static final class SilentOutage extends ForwardingBackplane {
        SilentOutage(Backplane delegate) {
            super(delegate);
        }

        @Override
        public Registration addListener(BackplaneListener listener) {
            return delegate.addListener(e -> {
                if (!connectionEvent(e)) {
                    listener.onEvent(e);
                }
            });
        }
    }

    /** Says UP while the broker is down, as a health check that only asks whether the backplane is open. */
    static final class UpWhileDown extends ForwardingBackplane {
        UpWhileDown(Backplane delegate) {
            super(delegate);
        }

        @Override
        public Health health() {
            Health h = delegate.health();
            if (h.status() != Health.Status.DOWN) {
                return h;
            }
            Map<String, Object> details = new LinkedHashMap<>(h.details());
            details.put("connected", true);
            return Health.of(Health.Status.UP, details);
        }
    }

    /**
     * Once the connection was lost, never tells of its return: no ConnectionRestored, and health DOWN
     * for good, as a transport that reports the loss and forgets the reconnect.
     */
    static final class StuckDown extends ForwardingBackplane {
        private volatile boolean lostOnce;

        StuckDown(Backplane delegate) {
            super(delegate);
            delegate.addListener(e -> {
                if (e instanceof BackplaneEvent.ConnectionLost) {
                    lostOnce = true;
                }
            });
        }

        @Override
        public Registration addListener(BackplaneListener listener) {
            return delegate.addListener(e -> {
                if (!(e instanceof BackplaneEvent.ConnectionRestored)) {
                    listener.onEvent(e);
                }
            });
        }

        @Override
        public Health health() {
            Health h = delegate.health();
            if (!lostOnce && h.status() != Health.Status.DOWN) {
                return h;
            }
            Map<String, Object> details = new LinkedHashMap<>(h.details());
            details.put("connected", false);
            return Health.of(Health.Status.DOWN, details);
        }
    }
}
