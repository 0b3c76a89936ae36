package dev.backplane.hub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What one process knows of the hub's nodes, built from their presence messages.
 *
 * <p>Each node numbers its presence messages. A snapshot replaces what is known of the node (a
 * snapshot split in parts, once every part has come); a delta applies only on top of the message
 * right before it. A missing number marks the node's view stale (kept, but not updated by deltas)
 * and asks the node for a snapshot, so a lost or reordered message heals itself. Every message
 * from a node pushes its death deadline to {@code now + its interval x its missed count};
 * {@link #sweep} declares the nodes past it dead.
 *
 * <p>Silence is evidence only while this process can hear the broker at all. It knows it can by
 * hearing its own messages ({@link #heardFromSelf}: a node's own heartbeats, a context's echoes).
 * When it has heard nothing of its own for {@code cutOffAfter}, it is cut off, not the others:
 * {@link #sweep} declares no one dead, and once it hears itself again every node gets a whole
 * death bound from then on to speak. It never declares itself dead.
 */
final class PresenceView implements HubPresence {

    enum Status { ALIVE, GONE, UNKNOWN }

    /** Asks one node for a snapshot. */
    interface SnapshotRequester {
        void request(String nodeId);
    }

    private static final int REMEMBERED_GONE = 4096;

    /** The longest death bound (about 73 years), so that deadline arithmetic on nano times never overflows. */
    static final long MAX_BOUND_NANOS = 1L << 61;

    private static final class NodeView {
        long appliedSeq;
        boolean stale = true;
        long deadline;
        long boundNanos;
        long lastRequest = Long.MIN_VALUE / 2;
        final Map<String, Conn> connections = new HashMap<>();
        // The parts of a split snapshot gathered so far (null when none is being gathered).
        long assemblingSeq = -1;
        Map<Integer, List<PresenceBody.ConnectionState>> assembling;
    }

    private record Conn(String user, Set<String> groups) {
    }

    private final LongSupplier clock;
    private final long requestSpacingNanos;
    private final String selfId;
    private final long cutOffAfterNanos;
    private long lastHeardFromSelf;
    /** Whether this process ever heard itself: until it has, it cannot say that the broker carries its messages. */
    private boolean heardSelf;
    private boolean cutOff;
    private final Map<String, NodeView> nodes = new HashMap<>();
    private final Map<String, String> gone = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_GONE;
        }
    };

    /**
     * @param selfId this process's node id: never declared dead here
     * @param cutOffAfterNanos how long without hearing itself before this process counts as cut off
     */
    PresenceView(LongSupplier nanoClock, long requestSpacingNanos, String selfId, long cutOffAfterNanos) {
        this.clock = nanoClock;
        this.requestSpacingNanos = requestSpacingNanos;
        this.selfId = selfId;
        this.cutOffAfterNanos = cutOffAfterNanos;
        this.lastHeardFromSelf = nanoClock.getAsLong();
    }

    /**
     * This process heard one of its own messages: the broker carries them. After a stretch cut
     * off, every node gets a whole death bound from now to be heard again.
     */
    synchronized void heardFromSelf() {
        long now = clock.getAsLong();
        boolean wasCutOff = cutOff || now - lastHeardFromSelf > cutOffAfterNanos;
        lastHeardFromSelf = now;
        heardSelf = true;
        if (wasCutOff) {
            cutOff = false;
            for (NodeView view : nodes.values()) {
                view.deadline = Math.max(view.deadline, now + 2 * view.boundNanos);
            }
        }
    }

    /**
     * Whether this process has heard itself, and recently enough to judge others by their silence.
     * False until its first own message came back: a node just started has no proof yet.
     */
    synchronized boolean hearsTheBroker() {
        return heardSelf && !cutOff && clock.getAsLong() - lastHeardFromSelf <= cutOffAfterNanos;
    }

    synchronized void onPresence(String node, long seq, PresenceBody body, SnapshotRequester requester) {
        if ("left".equals(gone.get(node))) {
            return; // a late message from a node that said goodbye must not bring it back
        }
        gone.remove(node); // a node declared dead that speaks again was only silent
        NodeView view = nodes.computeIfAbsent(node, n -> new NodeView());
        if (node.equals(selfId)) {
            // In the same step as it counts among the nodes: health never says it hears itself
            // while the view does not list it yet.
            heardFromSelf();
        }
        long now = clock.getAsLong();
        view.boundNanos = boundNanos(body.heartbeatMillis(), body.missed());
        view.deadline = now + view.boundNanos;
        if (body.isPart()) {
            body = assemble(view, seq, body);
            if (body == null) {
                return; // more parts to come
            }
        }
        if (body.snapshot() != null) {
            if (view.stale || seq >= view.appliedSeq) {
                view.connections.clear();
                for (PresenceBody.ConnectionState c : body.snapshot()) {
                    view.connections.put(c.id(), new Conn(c.user(), new HashSet<>(c.groups())));
                }
                view.appliedSeq = seq;
                view.stale = false;
            }
            return;
        }
        if (seq <= view.appliedSeq && !view.stale) {
            return; // already applied (a redelivery)
        }
        if (view.stale || seq != view.appliedSeq + 1) {
            view.stale = true;
            if (now - view.lastRequest >= requestSpacingNanos) {
                view.lastRequest = now;
                requester.request(node);
            }
            return;
        }
        for (PresenceBody.Event e : body.events()) {
            apply(view, e);
        }
        view.appliedSeq = seq;
    }

    /**
     * A node's death bound, interval x missed heartbeats, at most {@link #MAX_BOUND_NANOS}: a
     * bound that overflowed would put its deadline in the past and declare it dead at once.
     */
    static long boundNanos(long heartbeatMillis, int missed) {
        try {
            return Math.min(MAX_BOUND_NANOS, Math.multiplyExact(Math.multiplyExact(heartbeatMillis, 1_000_000L), missed));
        } catch (ArithmeticException e) {
            return MAX_BOUND_NANOS;
        }
    }

    /** Adds a part of a split snapshot; returns the whole snapshot once every part has come, else null. */
    private static PresenceBody assemble(NodeView view, long seq, PresenceBody part) {
        if (view.assembling == null || view.assemblingSeq != seq) {
            view.assembling = new HashMap<>();
            view.assemblingSeq = seq;
        }
        view.assembling.put(part.part(), part.snapshot());
        if (view.assembling.size() < part.parts()) {
            return null;
        }
        List<PresenceBody.ConnectionState> all = new ArrayList<>();
        for (int i = 0; i < part.parts(); i++) {
            List<PresenceBody.ConnectionState> slice = view.assembling.get(i);
            if (slice == null) {
                return null; // a part numbered beyond the count: wait for a consistent set
            }
            all.addAll(slice);
        }
        view.assembling = null;
        view.assemblingSeq = -1;
        return new PresenceBody(part.heartbeatMillis(), part.missed(), List.of(), all);
    }

    synchronized void onGoodbye(String node) {
        nodes.remove(node);
        gone.put(node, "left");
    }

    /**
     * Declares dead the nodes silent past their deadline and returns their ids; none while this
     * process is cut off from the broker.
     */
    synchronized List<String> sweep() {
        long now = clock.getAsLong();
        if (now - lastHeardFromSelf > cutOffAfterNanos) {
            cutOff = true;
        }
        if (cutOff) {
            return List.of();
        }
        List<String> dead = new ArrayList<>();
        nodes.entrySet().removeIf(e -> {
            if (!e.getKey().equals(selfId) && now - e.getValue().deadline > 0) {
                dead.add(e.getKey());
                return true;
            }
            return false;
        });
        dead.forEach(n -> gone.put(n, "dead"));
        return dead;
    }

    synchronized Status status(String node) {
        if (nodes.containsKey(node)) {
            return Status.ALIVE;
        }
        return gone.containsKey(node) ? Status.GONE : Status.UNKNOWN;
    }

    /** Why a node is gone, for error messages: "left" or "dead". */
    synchronized String goneReason(String node) {
        return gone.getOrDefault(node, "unknown");
    }

    @Override
    public synchronized Set<String> nodes() {
        return Set.copyOf(nodes.keySet());
    }

    @Override
    public synchronized Set<String> onlineUsers() {
        Set<String> users = new HashSet<>();
        forEachConnection((id, c) -> {
            if (c.user() != null) {
                users.add(c.user());
            }
        });
        return Set.copyOf(users);
    }

    @Override
    public synchronized Set<String> connectionsOfUser(String userId) {
        Set<String> ids = new HashSet<>();
        forEachConnection((id, c) -> {
            if (userId.equals(c.user())) {
                ids.add(id);
            }
        });
        return Set.copyOf(ids);
    }

    @Override
    public synchronized Set<String> groupMembers(String group) {
        Set<String> ids = new HashSet<>();
        forEachConnection((id, c) -> {
            if (c.groups().contains(group)) {
                ids.add(id);
            }
        });
        return Set.copyOf(ids);
    }

    @Override
    public synchronized Set<String> connections() {
        Set<String> ids = new HashSet<>();
        forEachConnection((id, c) -> ids.add(id));
        return Set.copyOf(ids);
    }

    private void forEachConnection(java.util.function.BiConsumer<String, Conn> action) {
        for (NodeView view : nodes.values()) {
            view.connections.forEach(action);
        }
    }

    private static void apply(NodeView view, PresenceBody.Event e) {
        switch (e.op()) {
            case PresenceBody.Event.CONNECT -> view.connections.put(e.id(), new Conn(e.user(), new HashSet<>()));
            case PresenceBody.Event.DISCONNECT -> view.connections.remove(e.id());
            case PresenceBody.Event.JOIN -> {
                Conn c = view.connections.get(e.id());
                if (c != null) {
                    c.groups().add(e.group());
                }
            }
            case PresenceBody.Event.LEAVE -> {
                Conn c = view.connections.get(e.id());
                if (c != null) {
                    c.groups().remove(e.group());
                }
            }
            default -> { } // an op from a newer version: ignored, the next snapshot corrects the view
        }
    }
}
