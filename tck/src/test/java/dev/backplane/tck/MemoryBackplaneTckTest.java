package dev.backplane.tck;

import dev.backplane.memory.MemoryBus;
import java.util.UUID;

/** The in-memory backplane against the whole transport kit. */
class MemoryBackplaneTckTest extends BackplaneTck {

    private final String bus = "tck-" + UUID.randomUUID();

    @Override
    protected String backplaneUri() {
        return "mem://" + bus;
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(() -> MemoryBus.named(bus).stop(), () -> MemoryBus.named(bus).start());
    }

    @Override
    protected java.util.Optional<java.util.Map<String, String>> limitedRetention(int messages) {
        return java.util.Optional.of(java.util.Map.of("retain", Integer.toString(messages)));
    }
}
