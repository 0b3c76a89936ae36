package dev.backplane.micrometer;

import dev.backplane.Registration;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A binder whose timers are fed through a component's hook: it keeps the hooks' registrations, and
 * {@link #close()} removes them (the registry keeps the meters).
 */
abstract class HookedBinder implements MeterBinder, AutoCloseable {

    private final List<Registration> registrations = new CopyOnWriteArrayList<>();

    /** Keeps a hook's registration, to be closed by {@link #close()}. */
    final void keep(Registration registration) {
        registrations.add(registration);
    }

    /** Stops recording into the timers of the registries bound to. */
    @Override
    public void close() {
        registrations.forEach(Registration::close);
        registrations.clear();
    }
}
