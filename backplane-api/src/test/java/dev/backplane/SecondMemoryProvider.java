package dev.backplane;

import dev.backplane.memory.MemoryBackplaneProvider;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A second provider for the {@code mem} scheme, registered only through the class loader
 * {@link BackplanesTest} builds, to see how discovery treats two providers for one scheme.
 */
public final class SecondMemoryProvider implements BackplaneProvider {

    /** How many backplanes this provider created. */
    static final AtomicInteger CREATED = new AtomicInteger();

    @Override
    public String name() {
        return "mem-copy";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("mem");
    }

    @Override
    public Set<String> options() {
        return Set.of("copyOption");
    }

    @Override
    public Backplane create(BackplaneConfig config) {
        CREATED.incrementAndGet();
        java.util.Map<String, String> options = new java.util.HashMap<>(config.options());
        options.remove("copyOption");
        options.remove(BackplaneConfig.PROVIDER);
        return new MemoryBackplaneProvider().create(BackplaneConfig.of(config.uri(), options));
    }
}
