package dev.backplane.tck.selftest;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneProvider;
import dev.backplane.memory.MemoryBackplaneProvider;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code faulty://BUS?fault=NAME}: a memory backplane on bus BUS, broken on purpose in the way
 * {@link Fault} NAME says, for the kit's own tests. {@code guarantee=atMostOnce} and
 * {@code replay=false} present it as a transport of that kind (correctly, unless the fault says
 * otherwise); {@code retain} and {@code maxPayload} go to the memory backplane.
 */
public final class FaultyBackplaneProvider implements BackplaneProvider {

    static final String FAULT = "fault";
    static final String GUARANTEE = "guarantee";
    static final String REPLAY = "replay";
    static final String FAKE_BROKER = "fakeBroker";

    @Override
    public String name() {
        return "faulty";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("faulty");
    }

    @Override
    public Set<String> options() {
        return Set.of(FAULT, GUARANTEE, REPLAY, FAKE_BROKER, MemoryBackplaneProvider.RETAIN,
                MemoryBackplaneProvider.MAX_PAYLOAD);
    }

    @Override
    public Backplane create(BackplaneConfig config) {
        String bus = config.uri().getRawAuthority();
        if (bus == null || bus.isBlank()) {
            throw new BackplaneConfigurationException("faulty URI '" + config.redactedUri() + "' names no bus");
        }
        String guarantee = config.option(GUARANTEE, "atLeastOnce");
        if (!guarantee.equals("atLeastOnce") && !guarantee.equals("atMostOnce")) {
            throw new BackplaneConfigurationException("option 'guarantee' is '" + guarantee
                    + "'; expected atLeastOnce or atMostOnce");
        }
        Context context = new Context(bus, config, guarantee.equals("atMostOnce"), config.booleanOption(REPLAY, true));
        return Fault.named(config.option(FAULT, "none")).create(context);
    }

    /** What a fault builds on: the bus, the options, and the correct backplane of the asked kind. */
    static final class Context {
        final String bus;
        final Outages outages;
        final boolean atMostOnce;
        final boolean replay;
        private final BackplaneConfig config;

        Context(String bus, BackplaneConfig config, boolean atMostOnce, boolean replay) {
            this.bus = bus;
            this.outages = Outages.of(bus);
            this.config = config;
            this.atMostOnce = atMostOnce;
            this.replay = replay;
        }

        /** A correct memory backplane of the asked guarantee and replay, on the configured prefix. */
        Backplane correct() {
            return present(memory(config.prefix()));
        }

        /** As {@link #correct()}, on another prefix whatever the configuration says. */
        Backplane correctOnPrefix(String prefix) {
            return present(memory(prefix));
        }

        /** The configured publish timeout. */
        java.time.Duration publishTimeout() {
            return config.publishTimeout();
        }

        /** An integer option of the faulty backplane itself. */
        int intOption(String name) {
            return Integer.parseInt(config.option(name, "0"));
        }

        /** The configured prefix. */
        String prefix() {
            return config.prefix();
        }

        /** The plain memory backplane, at-least-once with replay. */
        Backplane memory(String prefix) {
            Map<String, String> options = new HashMap<>(config.options());
            options.keySet().removeAll(Set.of(FAULT, GUARANTEE, REPLAY, FAKE_BROKER, BackplaneConfig.PROVIDER));
            options.put(BackplaneConfig.PREFIX, prefix);
            return new MemoryBackplaneProvider().create(BackplaneConfig.of(URI.create("mem://" + bus), options));
        }

        private Backplane present(Backplane memory) {
            Backplane b = replay ? memory : new NoReplayMemory(memory, true);
            return atMostOnce ? new AtMostOnceMemory(b, outages, AtMostOnceMemory.Gaps.PER_SUBSCRIPTION, true) : b;
        }
    }
}
