package dev.backplane.memory;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneProvider;
import java.util.Set;

/**
 * {@code mem://NAME}: instances opened with the same name in one JVM share one bus. Options:
 * {@code retain} (messages kept per channel for replay, default 10000) and {@code maxPayload}
 * (bytes, default 1048576).
 */
public final class MemoryBackplaneProvider implements BackplaneProvider {

    public static final String RETAIN = "retain";
    public static final String MAX_PAYLOAD = "maxPayload";

    @Override
    public String name() {
        return "mem";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("mem");
    }

    @Override
    public Set<String> options() {
        return Set.of(RETAIN, MAX_PAYLOAD);
    }

    @Override
    public Backplane create(BackplaneConfig config) {
        String bus = config.uri().getRawAuthority();
        if (bus == null || bus.isBlank()) {
            throw new BackplaneConfigurationException("mem URI '" + config.redactedUri()
                    + "' names no bus; write mem://NAME, e.g. mem://local");
        }
        int retain = (int) config.longOption(RETAIN, 10_000, 0, 10_000_000);
        int maxPayload = (int) config.longOption(MAX_PAYLOAD, 1 << 20, 1, Integer.MAX_VALUE - 8);
        return new MemoryBackplane(config, MemoryBus.acquire(bus), retain, maxPayload);
    }
}
