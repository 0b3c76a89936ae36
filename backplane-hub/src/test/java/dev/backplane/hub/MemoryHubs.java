package dev.backplane.hub;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Backplanes and hub nodes of one test on a private memory bus, closed in reverse order after it. */
final class MemoryHubs implements AutoCloseable {

    /** Short heartbeats, so that liveness shows within a test. */
    static final HubOptions OPTIONS = HubOptions.of("chat").withHeartbeat(Duration.ofMillis(100), 3)
            .withCommandTimeout(Duration.ofSeconds(5));

    private final String bus = "hubs-" + UUID.randomUUID();
    private final List<AutoCloseable> opened = new ArrayList<>();

    <T extends AutoCloseable> T opened(T c) {
        opened.add(c);
        return c;
    }

    /** A backplane on the bus, prefix {@code p}; {@code query} adds options ("" for none, or "?maxPayload=..."). */
    Backplane backplane(String query) {
        return opened(Backplanes.open(URI.create("mem://" + bus + query), Map.of("prefix", "p")));
    }

    /** A node on a backplane of its own. */
    HubNode node(HubOptions options) {
        return opened(HubNode.start(backplane(""), options));
    }

    @Override
    public void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }
}
