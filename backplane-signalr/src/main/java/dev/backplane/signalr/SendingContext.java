package dev.backplane.signalr;

import dev.backplane.hub.HubPresence;
import java.util.concurrent.CompletableFuture;

/** A {@link HubContext} over the hub layer's context (a node's, or one of its own). */
final class SendingContext implements HubContext {

    private final dev.backplane.hub.HubContext hub;
    private final boolean owned;
    private final Proxies clients;
    private final GroupManager groups;

    SendingContext(dev.backplane.hub.HubContext hub, boolean owned) {
        this(hub, owned, SignalROptions.defaults().clientResultTimeout());
    }

    SendingContext(dev.backplane.hub.HubContext hub, boolean owned, java.time.Duration resultTimeout) {
        this.hub = hub;
        this.owned = owned;
        this.clients = new Proxies(hub, null, resultTimeout);
        this.groups = groupsOf(hub);
    }

    static GroupManager groupsOf(dev.backplane.hub.HubContext hub) {
        return new GroupManager() {
            @Override
            public CompletableFuture<Void> add(String connectionId, String group) {
                return hub.addToGroup(connectionId, group);
            }

            @Override
            public CompletableFuture<Void> remove(String connectionId, String group) {
                return hub.removeFromGroup(connectionId, group);
            }
        };
    }

    @Override
    public HubClients clients() {
        return clients;
    }

    @Override
    public GroupManager groups() {
        return groups;
    }

    @Override
    public HubPresence presence() {
        return hub.presence();
    }

    @Override
    public void close() {
        if (owned) {
            hub.close();
        }
    }
}
