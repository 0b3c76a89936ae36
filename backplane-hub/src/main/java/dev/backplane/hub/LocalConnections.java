package dev.backplane.hub;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The connections a node holds, their users and groups, and the presence changes not yet
 * announced. Its monitor is the node's state lock: presence messages are built under it so that
 * a snapshot and the change log always agree.
 */
final class LocalConnections {

    /** One registered connection; its sink is called through its own bounded outbox. */
    record Local(HubConnection connection, ConnectionSink sink, ConnectionOutbox outbox, Set<String> groups) {
        String id() {
            return connection.id();
        }
    }

    private final Executor pool;
    private final HubOptions options; // the outboxes' bounds
    private final Map<String, Local> byId = new LinkedHashMap<>();
    private final Map<String, Set<String>> groupMembers = new HashMap<>();
    private final Map<String, Set<String>> userConnections = new HashMap<>();
    private List<PresenceBody.Event> unannounced = new ArrayList<>();

    LocalConnections(Executor pool, HubOptions options) {
        this.pool = pool;
        this.options = options;
    }

    synchronized Local add(HubConnection connection, ConnectionSink sink) {
        Local local = new Local(connection, sink, new ConnectionOutbox(connection.id(), pool, options.connectionBuffer(),
                options.connectionHardLimit(), options.slowClientGrace(), System::nanoTime),
                new HashSet<>());
        byId.put(connection.id(), local);
        if (connection.userId() != null) {
            userConnections.computeIfAbsent(connection.userId(), u -> new LinkedHashSet<>()).add(connection.id());
        }
        unannounced.add(new PresenceBody.Event(PresenceBody.Event.CONNECT, connection.id(), connection.userId(), null));
        return local;
    }

    /** Removes a connection and its memberships; null if it was not here. */
    synchronized Local remove(String id) {
        Local local = byId.remove(id);
        if (local == null) {
            return null;
        }
        for (String group : local.groups()) {
            removeMember(group, id);
        }
        String user = local.connection().userId();
        if (user != null) {
            Set<String> ids = userConnections.get(user);
            ids.remove(id);
            if (ids.isEmpty()) {
                userConnections.remove(user);
            }
        }
        unannounced.add(new PresenceBody.Event(PresenceBody.Event.DISCONNECT, id, null, null));
        return local;
    }

    synchronized int size() {
        return byId.size();
    }

    synchronized Local get(String id) {
        return byId.get(id);
    }

    /** Adds a membership; false if the connection was already in the group. */
    synchronized boolean join(Local local, String group) {
        if (!local.groups().add(group)) {
            return false;
        }
        groupMembers.computeIfAbsent(group, g -> new LinkedHashSet<>()).add(local.id());
        unannounced.add(new PresenceBody.Event(PresenceBody.Event.JOIN, local.id(), null, group));
        return true;
    }

    /** Removes a membership; false if the connection was not in the group. */
    synchronized boolean leave(Local local, String group) {
        if (!local.groups().remove(group)) {
            return false;
        }
        removeMember(group, local.id());
        unannounced.add(new PresenceBody.Event(PresenceBody.Event.LEAVE, local.id(), null, group));
        return true;
    }

    /** The local connections a target matches, each once, minus its exclusions. */
    synchronized List<Local> resolve(Target target) {
        Collection<String> ids = switch (target.kind()) {
            case ALL -> byId.keySet();
            case CONNECTIONS -> target.names();
            case GROUPS -> union(groupMembers, target.names());
            case USERS -> union(userConnections, target.names());
        };
        List<Local> out = new ArrayList<>(ids.size());
        for (String id : ids) {
            Local local = byId.get(id);
            if (local != null && !target.excluded().contains(id)) {
                out.add(local);
            }
        }
        return out;
    }

    /** Every registered connection. */
    synchronized List<Local> all() {
        return List.copyOf(byId.values());
    }

    synchronized List<HubConnection> connections() {
        return byId.values().stream().map(Local::connection).toList();
    }

    /** The changes since the last call, in order. */
    synchronized List<PresenceBody.Event> drainChanges() {
        List<PresenceBody.Event> out = unannounced;
        unannounced = new ArrayList<>();
        return out;
    }

    synchronized boolean hasChanges() {
        return !unannounced.isEmpty();
    }

    synchronized List<PresenceBody.ConnectionState> snapshot() {
        List<PresenceBody.ConnectionState> out = new ArrayList<>(byId.size());
        for (Local l : byId.values()) {
            out.add(new PresenceBody.ConnectionState(l.id(), l.connection().userId(), List.copyOf(l.groups())));
        }
        return out;
    }

    private void removeMember(String group, String id) {
        Set<String> members = groupMembers.get(group);
        if (members != null) {
            members.remove(id);
            if (members.isEmpty()) {
                groupMembers.remove(group);
            }
        }
    }

    private static Set<String> union(Map<String, Set<String>> index, List<String> keys) {
        if (keys.size() == 1) {
            return index.getOrDefault(keys.get(0), Set.of());
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String key : keys) {
            ids.addAll(index.getOrDefault(key, Set.of()));
        }
        return ids;
    }
}
