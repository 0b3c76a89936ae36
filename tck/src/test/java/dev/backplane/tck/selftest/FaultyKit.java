package dev.backplane.tck.selftest;

import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.util.UUID;

/**
 * The transport kit against a {@code faulty://} backplane on a bus of its own per test, with
 * outages simulated by {@link Outages}. Subclasses name the fault and kind in the URI's query.
 */
abstract class FaultyKit extends BackplaneTck {

    private final String bus = "selftest-" + UUID.randomUUID();
    private final String query;

    FaultyKit(String query) {
        this.query = query;
    }

    @Override
    protected String backplaneUri() {
        return "faulty://" + bus + (query.isEmpty() ? "" : "?" + query);
    }

    @Override
    protected BrokerControl brokerControl() {
        Outages outages = Outages.of(bus);
        return BrokerControl.of(outages::stop, outages::start);
    }

    @Override
    protected java.util.Optional<java.util.Map<String, String>> limitedRetention(int messages) {
        return java.util.Optional.of(java.util.Map.of("retain", Integer.toString(messages)));
    }
}
