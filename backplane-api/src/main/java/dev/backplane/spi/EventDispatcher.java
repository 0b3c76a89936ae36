package dev.backplane.spi;

import dev.backplane.Registration;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Hands events to listeners on the callback executor: each listener has a {@link SerialExecutor}
 * of its own, so it hears events one at a time and in the order they were published, and one
 * listener that blocks delays only itself. {@link #publish} never runs a listener on the calling
 * thread (a transport's I/O or timer thread), and costs a volatile read when nobody listens:
 * check {@link #hasListeners()} before building an event that only listeners need.
 *
 * <p>What a listener throws is logged and does not stop its later events. Queues: each listener's
 * queue holds what it has not heard yet; events are rare (state changes and failures, never one
 * per message that went well), and a listener that never returns holds only its own queue.
 *
 * @param <E> the events
 */
public final class EventDispatcher<E> {

    private static final System.Logger LOG = System.getLogger(EventDispatcher.class.getName());

    private final Executor executor;
    private final CopyOnWriteArrayList<Entry<E>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean any;

    /** @param executor the callback executor listeners run on */
    public EventDispatcher(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** Adds a listener; it hears every event published after this returns, until the registration is closed. */
    public Registration add(Consumer<? super E> listener) {
        Entry<E> entry = new Entry<>(Objects.requireNonNull(listener, "listener"), new SerialExecutor(executor));
        listeners.add(entry);
        any = true;
        return () -> {
            entry.removed = true;
            listeners.remove(entry);
            any = !listeners.isEmpty();
        };
    }

    /** Whether anyone listens: build an event only if so. */
    public boolean hasListeners() {
        return any;
    }

    /** Queues {@code event} for every listener; returns at once. */
    public void publish(E event) {
        if (!any) {
            return;
        }
        for (Entry<E> entry : listeners) {
            try {
                entry.serial.execute(() -> entry.hear(event));
            } catch (RejectedExecutionException e) {
                // The callback executor is shut down: nobody can hear it any more.
                LOG.log(System.Logger.Level.DEBUG, "event not delivered, the callback executor is shut down: " + event);
            }
        }
    }

    private static final class Entry<E> {
        final Consumer<? super E> listener;
        final SerialExecutor serial;
        volatile boolean removed;

        Entry(Consumer<? super E> listener, SerialExecutor serial) {
            this.listener = listener;
            this.serial = serial;
        }

        void hear(E event) {
            if (removed) {
                return;
            }
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "an event listener threw on " + event, e);
            }
        }
    }
}
