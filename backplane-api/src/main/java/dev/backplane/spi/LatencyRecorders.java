package dev.backplane.spi;

import dev.backplane.Registration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * The recorders a timer hook feeds ({@code onPublishLatency}, {@code onInvocationLatency}): an
 * array replaced on each change, so that {@link #record} on a hot path reads one volatile field and
 * allocates nothing, and costs a loop over nothing when no metrics library is bound.
 */
public final class LatencyRecorders {

    private static final System.Logger LOG = System.getLogger(LatencyRecorders.class.getName());

    private volatile LongConsumer[] recorders = new LongConsumer[0];

    /** Adds {@code recorder}; closing the registration removes it. */
    public synchronized Registration add(LongConsumer recorder) {
        Objects.requireNonNull(recorder, "recorder");
        LongConsumer[] more = Arrays.copyOf(recorders, recorders.length + 1);
        more[more.length - 1] = recorder;
        recorders = more;
        return () -> remove(recorder);
    }

    /** Whether any recorder is there: measure only if so. */
    public boolean any() {
        return recorders.length > 0;
    }

    /** Gives {@code nanos} to every recorder; one that throws is logged and skipped. */
    public void record(long nanos) {
        for (LongConsumer r : recorders) {
            try {
                r.accept(nanos);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "a latency recorder threw", e);
            }
        }
    }

    private synchronized void remove(LongConsumer recorder) {
        recorders = Arrays.stream(recorders).filter(r -> r != recorder).toArray(LongConsumer[]::new);
    }
}
