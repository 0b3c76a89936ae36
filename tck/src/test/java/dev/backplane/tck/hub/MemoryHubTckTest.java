package dev.backplane.tck.hub;

import dev.backplane.memory.MemoryBus;
import dev.backplane.tck.BrokerControl;
import java.util.UUID;

/** Three hub nodes on the in-memory backplane against the whole scale-out kit. */
class MemoryHubTckTest extends HubTck {

    private final String bus = "hubtck-" + UUID.randomUUID();

    @Override
    protected String backplaneUri() {
        return "mem://" + bus;
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(() -> MemoryBus.named(bus).stop(), () -> MemoryBus.named(bus).start());
    }
}
