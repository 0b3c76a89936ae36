package dev.backplane.tck.hub;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.hub.ClientInvocationException;
import dev.backplane.hub.ConnectionSink;
import dev.backplane.hub.HubConnection;
import dev.backplane.hub.HubContext;
import dev.backplane.hub.HubInvocation;
import dev.backplane.hub.HubMessage;
import dev.backplane.hub.HubNode;
import dev.backplane.hub.HubOptions;
import dev.backplane.hub.HubPresence;
import dev.backplane.hub.HubTimeoutException;
import dev.backplane.hub.Target;
import dev.backplane.hub.UnknownConnectionException;
import dev.backplane.memory.MemoryBus;
import dev.backplane.spi.ForwardingBackplane;
import dev.backplane.tck.BrokerControl;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.Delivery;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The scale-out kit on {@code mem://} with one fault each, for {@link HubTckSelfTest}. They are
 * nested classes without "Test" in their names, so only the self-test runs them.
 */
final class FaultyKits {

    private FaultyKits() {
    }

    /** Set by {@link HubTckSelfTest}; without it the faulty kits are skipped wherever a build finds them. */
    static final String SELF_TEST = "backplane.hubtck.selftest";

    /** Runs a faulty kit only inside the self-test. */
    static final class OnlyInSelfTest implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(SELF_TEST).isPresent()
                    ? ConditionEvaluationResult.enabled("run by the kit's self-test")
                    : ConditionEvaluationResult.disabled("a deliberately faulty kit, run only by HubTckSelfTest");
        }
    }

    /** The kit on a private memory bus; the faults override its factories. */
    @ExtendWith(OnlyInSelfTest.class)
    abstract static class OnMemory extends HubTck {
        private final String bus = "faulty-" + UUID.randomUUID();

        /** Every wait that runs out is the expected outcome here, so do not wait long. */
        @Override
        protected Duration patience() {
            return KitTimeouts.scaled(Duration.ofSeconds(2));
        }

        @Override
        protected String backplaneUri() {
            return "mem://" + bus;
        }

        @Override
        protected BrokerControl brokerControl() {
            return BrokerControl.of(() -> MemoryBus.named(bus).stop(), () -> MemoryBus.named(bus).start());
        }

        /** Wraps every node and context; identity by default. */
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real);
        }

        @Override
        protected HubNode startNode(Backplane backplane, HubOptions options) {
            return wrap(super.startNode(backplane, options));
        }

        @Override
        protected HubContext openContext(Backplane backplane, HubOptions options) {
            return wrap(super.openContext(backplane, options));
        }
    }

    /** The sender drops the except list of all-except and group-except. */
    static final class IgnoresExcept extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public CompletableFuture<Void> send(Target target, String method, Object... args) {
                    return super.send(new Target(target.kind(), target.names(), Set.of()), method, args);
                }
            };
        }
    }

    /** No de-duplication: a send to several groups or users goes out as independent sends. */
    static final class SplitsMultiTargets extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public CompletableFuture<Void> send(Target target, String method, Object... args) {
                    if (target.names().size() < 2 || target.kind() == Target.Kind.CONNECTIONS) {
                        return super.send(target, method, args);
                    }
                    // Each copy reaches every node that has any member and is handled there in full.
                    CompletableFuture<?>[] all = target.names().stream()
                            .map(n -> super.send(target, method, args)).toArray(CompletableFuture[]::new);
                    return CompletableFuture.allOf(all);
                }
            };
        }
    }

    /** Sends leave in a random order. */
    static final class Reorders extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public CompletableFuture<Void> send(Target target, String method, Object... args) {
                    long delay = ThreadLocalRandom.current().nextLong(5);
                    return CompletableFuture.supplyAsync(() -> null,
                                    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS))
                            .thenCompose(v -> super.send(target, method, args));
                }
            };
        }
    }

    /** A send to connections goes to everyone. */
    static final class MisroutesConnections extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public CompletableFuture<Void> send(Target target, String method, Object... args) {
                    return super.send(target.kind() == Target.Kind.CONNECTIONS ? Target.all() : target, method, args);
                }
            };
        }
    }

    /** Group changes report success at once and are applied a little later. */
    static final class EarlyGroupAck extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public CompletableFuture<Void> addToGroup(String connectionId, String group) {
                    later(() -> super.addToGroup(connectionId, group));
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<Void> removeFromGroup(String connectionId, String group) {
                    later(() -> super.removeFromGroup(connectionId, group));
                    return CompletableFuture.completedFuture(null);
                }
            };
        }

        private static void later(Runnable r) {
            CompletableFuture.runAsync(r, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
        }
    }

    /** An unknown connection is not reported: the caller waits out a long timeout, as SignalR users complain. */
    static final class StallsOnUnknownConnection extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public CompletableFuture<Void> addToGroup(String connectionId, String group) {
                    return stall(super.addToGroup(connectionId, group));
                }

                @Override
                public CompletableFuture<Void> removeFromGroup(String connectionId, String group) {
                    return stall(super.removeFromGroup(connectionId, group));
                }

                @Override
                public CompletableFuture<byte[]> invokeJson(String connectionId, Duration timeout, String method,
                        Object... args) {
                    return stall(super.invokeJson(connectionId, timeout, method, args));
                }
            };
        }

        private static <T> CompletableFuture<T> stall(CompletableFuture<T> real) {
            CompletableFuture<T> out = new CompletableFuture<>();
            real.whenComplete((v, e) -> {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof UnknownConnectionException) {
                    CompletableFuture.delayedExecutor(KitTimeouts.scaled(Duration.ofSeconds(5)).toMillis(), TimeUnit.MILLISECONDS)
                            .execute(() -> out.completeExceptionally(new HubTimeoutException("timed out")));
                } else if (e != null) {
                    out.completeExceptionally(cause);
                } else {
                    out.complete(v);
                }
            });
            return out;
        }
    }

    /** Contexts ignore the configured command timeout and wait an hour for a crashed owner. */
    static final class WaitsForeverForAGoneOwner extends OnMemory {
        @Override
        protected HubContext openContext(Backplane backplane, HubOptions options) {
            return super.openContext(backplane, options.withCommandTimeout(Duration.ofHours(1)));
        }

        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public CompletableFuture<byte[]> invokeJson(String connectionId, Duration timeout, String method,
                        Object... args) {
                    return super.invokeJson(connectionId, Duration.ofHours(1), method, args);
                }
            };
        }
    }

    /** Disconnect only silences the client: the node keeps it registered, in its groups and in presence. */
    static final class NoCleanupOnDisconnect extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            Map<String, boolean[]> muted = new ConcurrentHashMap<>();
            return new ForwardingHub(real) {
                @Override
                public CompletableFuture<HubConnection> connect(String userId, ConnectionSink sink) {
                    boolean[] mute = {false};
                    ConnectionSink silenced = new ConnectionSink() {
                        @Override
                        public void send(HubMessage message) {
                            if (!mute[0]) {
                                sink.send(message);
                            }
                        }

                        @Override
                        public void invoke(HubInvocation invocation) {
                            sink.invoke(invocation);
                        }
                    };
                    return super.connect(userId, silenced).thenApply(c -> {
                        muted.put(c.id(), mute);
                        return c;
                    });
                }

                @Override
                public boolean disconnect(String connectionId) {
                    boolean[] mute = muted.remove(connectionId);
                    if (mute == null) {
                        return false;
                    }
                    mute[0] = true;
                    return true;
                }
            };
        }
    }

    /** Presence answers from the node's own connections only: nothing is shared between nodes. */
    static final class LocalOnlyPresence extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public HubPresence presence() {
                    HubPresence all = super.presence();
                    String own = nodeId();
                    Function<Set<String>, Set<String>> mine = ids -> ids.stream().filter(id -> id.startsWith(own + "."))
                            .collect(Collectors.toUnmodifiableSet());
                    return new HubPresence() {
                        @Override
                        public Set<String> nodes() {
                            return all.nodes().contains(own) ? Set.of(own) : Set.of();
                        }

                        @Override
                        public Set<String> onlineUsers() {
                            return localConnections().stream().map(HubConnection::userId)
                                    .filter(java.util.Objects::nonNull).collect(Collectors.toUnmodifiableSet());
                        }

                        @Override
                        public Set<String> connectionsOfUser(String userId) {
                            return mine.apply(all.connectionsOfUser(userId));
                        }

                        @Override
                        public Set<String> groupMembers(String group) {
                            return mine.apply(all.groupMembers(group));
                        }

                        @Override
                        public Set<String> connections() {
                            return mine.apply(all.connections());
                        }
                    };
                }

                @Override
                public java.util.Collection<HubConnection> localConnections() {
                    return delegate instanceof HubNode n ? n.localConnections() : java.util.List.of();
                }
            };
        }
    }

    /** Nodes announce a liveness bound a thousand times too long, so their death is never noticed in time. */
    static final class NoTimelyDeathDetection extends OnMemory {
        @Override
        protected HubNode startNode(Backplane backplane, HubOptions options) {
            return super.startNode(backplane, options.withHeartbeat(options.heartbeatInterval(),
                    options.missedHeartbeats() * 1000));
        }
    }

    /** A client's error answer reaches the caller as a null result. */
    static final class SwallowsClientErrors extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public CompletableFuture<byte[]> invokeJson(String connectionId, Duration timeout, String method,
                        Object... args) {
                    return super.invokeJson(connectionId, timeout, method, args).exceptionally(e -> {
                        Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                        if (cause instanceof ClientInvocationException) {
                            return "null".getBytes(StandardCharsets.UTF_8);
                        }
                        throw e instanceof CompletionException ce ? ce : new CompletionException(e);
                    });
                }
            };
        }
    }

    /** Every node and context joins the same hub, whatever it was asked for. */
    static final class SingleNamespace extends OnMemory {
        @Override
        protected HubNode startNode(Backplane backplane, HubOptions options) {
            return super.startNode(backplane, options.withHub("one-hub"));
        }

        @Override
        protected HubContext openContext(Backplane backplane, HubOptions options) {
            return super.openContext(backplane, options.withHub("one-hub"));
        }
    }

    /** Every backplane opens on one prefix, whatever it was asked for. */
    static final class IgnoresPrefix extends OnMemory {
        @Override
        protected Backplane openBackplane(URI uri, Map<String, String> options) {
            Map<String, String> changed = new HashMap<>(options);
            changed.put(BackplaneConfig.PREFIX, "one-prefix");
            return super.openBackplane(uri, changed);
        }
    }

    /** A subscription stops for good after a payload that is not a hub envelope, as if the subscriber had died. */
    static final class DiesOnMalformedInput extends OnMemory {
        @Override
        protected Backplane openBackplane(URI uri, Map<String, String> options) {
            return new DyingBackplane(super.openBackplane(uri, options));
        }
    }

    /** The backplane of {@link DiesOnMalformedInput}. */
    static final class DyingBackplane extends ForwardingBackplane {
        DyingBackplane(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            return dying(subscriber);
        }

        private static Subscriber dying(Subscriber subscriber) {
            boolean[] dead = {false};
            return delivery -> {
                byte[] p = delivery.payload();
                if (p.length < 2 || p[0] != 1) {
                    dead[0] = true;
                }
                if (!dead[0]) {
                    subscriber.onMessage(delivery);
                } else {
                    delivery.ack();
                }
            };
        }

        @Override
        public String toString() {
            return "dying " + delegate;
        }
    }

    /**
     * De-duplication defeated: every copy of a send a node receives carries a fresh message id, so
     * the hub cannot tell a redelivery from a new message, which is what a hub without
     * de-duplication does with every redelivery. Relies on the envelope layout (version, kind,
     * sender, sequence) of {@code backplane-hub/README.md}.
     */
    static final class ForgetsRedeliveredIds extends OnMemory {
        @Override
        protected Backplane redelivering(Backplane backplane) {
            return new RestampingBackplane(super.redelivering(backplane));
        }
    }

    /** The backplane of {@link ForgetsRedeliveredIds}: gives each delivered send a new sequence number. */
    static final class RestampingBackplane extends ForwardingBackplane {
        private static final AtomicLong FRESH = new AtomicLong(1L << 62);

        RestampingBackplane(Backplane delegate) {
            super(delegate);
        }

        @Override
        protected Subscriber wrap(String channel, Subscriber subscriber) {
            return restamping(subscriber);
        }

        private static Subscriber restamping(Subscriber subscriber) {
            return delivery -> {
                byte[] bytes = delivery.payload();
                if (bytes.length > 4 && bytes[0] == 1 && bytes[1] == 1) { // version 1, kind SEND
                    int senderLength = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
                    ByteBuffer.wrap(bytes, 4 + senderLength, 8).putLong(FRESH.incrementAndGet());
                }
                subscriber.onMessage(new Delivery() {
                    @Override
                    public String channel() {
                        return delivery.channel();
                    }

                    @Override
                    public byte[] payload() {
                        return bytes;
                    }

                    @Override
                    public Position position() {
                        return delivery.position();
                    }

                    @Override
                    public boolean redelivered() {
                        return delivery.redelivered();
                    }

                    @Override
                    public void ack() {
                        delivery.ack();
                    }
                });
            };
        }

        @Override
        public String toString() {
            return "restamping " + delegate;
        }
    }
    /** The backplane under every node reorders publishes whenever a node switches from one channel to another. */
    static final class ReordersInterleavedChannels extends OnMemory {
        @Override
        protected Backplane openBackplane(URI uri, Map<String, String> options) {
            return new dev.backplane.tck.selftest.NamingAndPayloadFaults.InterleaveReorder(
                    super.openBackplane(uri, options));
        }
    }

    /**
     * Group names and user ids are mapped by replacing every character but letters and digits with
     * '_', as a hub with a lossy channel encoding and no check of the real name would: lookalike
     * names share a group.
     */
    static final class ConflatesNames extends OnMemory {
        private static String conflated(String name) {
            return name == null ? null : name.replaceAll("[^A-Za-z0-9]", "_");
        }

        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public CompletableFuture<Void> send(Target target, String method, Object... args) {
                    if (target.kind() == Target.Kind.GROUPS || target.kind() == Target.Kind.USERS) {
                        target = new Target(target.kind(), target.names().stream().map(ConflatesNames::conflated)
                                .toList(), target.excluded());
                    }
                    return super.send(target, method, args);
                }

                @Override
                public CompletableFuture<Void> addToGroup(String connectionId, String group) {
                    return super.addToGroup(connectionId, conflated(group));
                }

                @Override
                public CompletableFuture<Void> removeFromGroup(String connectionId, String group) {
                    return super.removeFromGroup(connectionId, conflated(group));
                }

                @Override
                public CompletableFuture<HubConnection> connect(String userId, ConnectionSink sink) {
                    return super.connect(conflated(userId), sink);
                }
            };
        }
    }

    /** A send equal to the previous one from the same node or context (target, method, arguments) is dropped. */
    static final class FoldsRepeatedSends extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                private String last;

                @Override
                public CompletableFuture<Void> send(Target target, String method, Object... args) {
                    String key = target + "/" + method + "/" + java.util.Arrays.deepToString(args);
                    synchronized (this) {
                        if (key.equals(last)) {
                            return CompletableFuture.completedFuture(null);
                        }
                        last = key;
                    }
                    return super.send(target, method, args);
                }
            };
        }
    }
    /** A context without connections reports a send to all done without publishing it, as if it had no one to send to. */
    static final class ContextDropsSendsToAll extends OnMemory {
        @Override
        protected HubContext openContext(Backplane backplane, HubOptions options) {
            return new ForwardingHub(super.openContext(backplane, options)) {
                @Override
                public CompletableFuture<Void> send(Target target, String method, Object... args) {
                    if (target.kind() == Target.Kind.ALL) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return super.send(target, method, args);
                }
            };
        }
    }

    /**
     * The hub believes the backplane takes payloads of any size, as a hub that ignores the limit:
     * presence snapshots of many connections go out whole and the broker refuses them.
     */
    static final class IgnoresPayloadLimit extends OnMemory {
        @Override
        protected Backplane openBackplane(URI uri, Map<String, String> options) {
            return new ForwardingBackplane(super.openBackplane(uri, options)) {
                @Override
                public dev.backplane.Capabilities capabilities() {
                    dev.backplane.Capabilities real = delegate.capabilities();
                    return new dev.backplane.Capabilities(real.transport(), real.guarantee(), real.replay(),
                            real.orderedPerPublisher(), Integer.MAX_VALUE, real.cheapChannels());
                }
            };
        }
    }

    /**
     * While the bus is stopped, each backplane hands its own publishes to its own subscribers (and
     * reports them published): every node goes on hearing its own heartbeats and none of the
     * others', as a hub that judges others by their silence without knowing whether it hears the
     * broker at all.
     */
    static final class HearsItselfDuringOutages extends OnMemory {
        @Override
        protected Backplane openBackplane(URI uri, Map<String, String> options) {
            MemoryBus bus = MemoryBus.named(uri.getRawAuthority());
            Map<String, java.util.List<Subscriber>> local = new ConcurrentHashMap<>();
            return new ForwardingBackplane(super.openBackplane(uri, options)) {
                @Override
                public CompletableFuture<Position> publish(String channel, byte[] payload) {
                    if (bus.isRunning()) {
                        return delegate.publish(channel, payload);
                    }
                    for (Subscriber s : local.getOrDefault(channel, java.util.List.of())) {
                        s.onMessage(new dev.backplane.spi.AtMostOnceDelivery(channel, payload.clone(), Position.NONE));
                    }
                    return CompletableFuture.completedFuture(Position.NONE);
                }

                @Override
                protected Subscriber wrap(String channel, Subscriber subscriber) {
                    local.computeIfAbsent(channel, c -> new java.util.concurrent.CopyOnWriteArrayList<>())
                            .add(subscriber);
                    return subscriber;
                }
            };
        }
    }

    /** Health says whether the node is open, not whether its broker is there. */
    static final class HealthIgnoresBackplane extends OnMemory {
        @Override
        HubNode wrap(HubContext real) {
            return new ForwardingHub(real) {
                @Override
                public dev.backplane.Health health() {
                    return dev.backplane.Health.of(dev.backplane.Health.Status.UP, delegate.health().details());
                }
            };
        }
    }
}
