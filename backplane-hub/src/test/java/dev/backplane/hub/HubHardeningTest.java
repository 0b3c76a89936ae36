package dev.backplane.hub;

import static dev.backplane.hub.Waiting.eventually;
import static dev.backplane.hub.Waiting.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.ForwardingBackplane;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a production hub must survive, on {@code mem://} (wrapped where a test needs to inject a
 * failure or a gap): slow clients, gaps, failed subscriptions, requests to unknown nodes during
 * start-up, a broker that refuses, and close.
 */
class HubHardeningTest {

    private final String bus = "hard-" + UUID.randomUUID();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final HubOptions options = HubOptions.of("chat").withHeartbeat(Duration.ofMillis(100), 3)
            .withCommandTimeout(Duration.ofSeconds(5));

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private <T extends AutoCloseable> T opened(T c) {
        opened.add(c);
        return c;
    }

    private Backplane backplane() {
        return opened(Backplanes.open(URI.create("mem://" + bus), Map.of("prefix", "p")));
    }

    /** Records what a client receives, and the reason it was ended by the hub. */
    static class Recorder implements ConnectionSink {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile String disconnectedReason;

        @Override
        public void send(HubMessage message) {
            calls.add(message.method() + message.argumentsText());
        }

        @Override
        public void invoke(HubInvocation invocation) {
            calls.add("invoke " + invocation.method());
        }

        @Override
        public void disconnected(String reason) {
            calls.add("disconnected");
            disconnectedReason = reason;
        }
    }

    /** A real backplane whose subscriptions can be made to fail, and whose subscribers can be told of a gap. */
    static final class Injecting extends ForwardingBackplane {
        final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();
        final Set<String> failFirstSubscribe = ConcurrentHashMap.newKeySet();

        Injecting(Backplane delegate) {
            super(delegate);
        }

        @Override
        public CompletableFuture<Subscription> subscribe(String channel, Subscriber subscriber) {
            if (failFirstSubscribe.remove(channel)) {
                return CompletableFuture.failedFuture(new IllegalStateException("subscribe refused for the test"));
            }
            subscribers.put(channel, subscriber);
            return super.subscribe(channel, subscriber);
        }
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            Object v = f.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** A sink whose every call waits for {@code release}: a client whose socket does not drain until then. */
    private static Recorder heldUntil(CountDownLatch release) {
        return new Recorder() {
            @Override
            public void send(HubMessage message) {
                super.send(message);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    @Test
    void aClientMoreThanTheBufferBehindIsDisconnectedToldWhyAndCounted() throws Exception {
        HubNode node = opened(HubNode.start(backplane(), options.withConnectionBuffer(8)
                .withSlowClientGrace(Duration.ZERO)));
        CountDownLatch release = new CountDownLatch(1);
        Recorder slowSink = heldUntil(release);
        Recorder fast = new Recorder();
        HubConnection slow = join(node.connect("slow", slowSink));
        HubConnection quick = join(node.connect("quick", fast));
        join(node.addToGroup(slow.id(), "g"));
        for (int i = 0; i < 30; i++) {
            join(node.send(Target.all(), "m", i));
            int sent = i + 1;
            // Paced by the fast client, which therefore never has more than one message waiting.
            eventually(() -> fast.calls.size() == sent, "the fast client receives message " + sent);
        }
        eventually(() -> node.stats().slowConnectionsDisconnected() == 1, "the slow connection is counted");
        assertThat(node.localConnections()).extracting(HubConnection::id).containsExactly(quick.id());
        eventually(() -> !node.presence().connections().contains(slow.id())
                && node.presence().groupMembers("g").isEmpty(), "presence drops the slow connection and its group");
        release.countDown();
        eventually(() -> slowSink.disconnectedReason != null, "the slow sink is told");
        assertThat(slowSink.disconnectedReason).contains("more than 8 messages behind");
        assertThat(slowSink.calls).as("the slow sink's calls: at most the buffer and the one in progress, then the "
                + "notice, last").hasSizeLessThanOrEqualTo(10).last().isEqualTo("disconnected");
        assertThat(fast.disconnectedReason).isNull();
    }

    @Test
    void aClientThatDrainsABurstWithinTheGraceKeepsItsConnectionAndGetsEverything() throws Exception {
        HubNode node = opened(HubNode.start(backplane(), options.withConnectionBuffer(8)
                .withSlowClientGrace(Duration.ofMinutes(1))));
        CountDownLatch release = new CountDownLatch(1);
        Recorder burstSink = heldUntil(release);
        join(node.connect("bursty", burstSink));
        for (int i = 0; i < 40; i++) {
            join(node.send(Target.all(), "m", i)); // five times the buffer, under the hard limit of 64
        }
        release.countDown();
        eventually(() -> burstSink.calls.size() == 40, "all 40 messages delivered");
        assertThat(burstSink.disconnectedReason).isNull();
        assertThat(node.stats().slowConnectionsDisconnected()).isZero();
    }

    @Test
    void aClientAtTheHardLimitIsDisconnectedWithinTheGrace() throws Exception {
        HubNode node = opened(HubNode.start(backplane(), options.withConnectionBuffer(8)
                .withSlowClientGrace(Duration.ofMinutes(1))));
        CountDownLatch release = new CountDownLatch(1);
        Recorder stuckSink = heldUntil(release);
        join(node.connect("stuck", stuckSink));
        for (int i = 0; i < 80; i++) {
            join(node.send(Target.all(), "m", i));
        }
        eventually(() -> node.stats().slowConnectionsDisconnected() == 1, "the connection 64 behind ended");
        release.countDown();
        eventually(() -> stuckSink.disconnectedReason != null, "the sink is told");
        assertThat(stuckSink.disconnectedReason).contains("more than 8 messages behind", "or 64 behind");
        assertThat(stuckSink.calls).as("at most the hard limit and the one in progress, then the notice")
                .hasSizeLessThanOrEqualTo(66).last().isEqualTo("disconnected");
    }

    @Test
    void aGapIsCountedPassedToTheListenerAndOnPresenceAsksEveryNodeForASnapshot() throws Exception {
        List<Gap> heard = new CopyOnWriteArrayList<>();
        Injecting injecting = new Injecting(backplane());
        HubNode node = opened(HubNode.start(injecting, options.withGapListener(heard::add)));
        Recorder client = new Recorder();
        join(node.connect("u", client));
        AtomicInteger snapshotRequests = new AtomicInteger();
        opened(join(backplane().subscribe("chat:presence", d -> {
            Envelope e;
            try {
                e = EnvelopeCodec.decode(d.payload());
            } catch (MalformedEnvelopeException ex) {
                return;
            }
            if (e.kind() == Envelope.Kind.SNAPSHOT_REQUEST && e.sender().equals(node.nodeId())) {
                snapshotRequests.incrementAndGet();
            }
        })));

        Gap onPresence = new Gap("chat:presence", Position.NONE, Position.NONE, "reconnected");
        injecting.subscribers.get("chat:presence").onGap(onPresence);
        assertThat(node.stats().gaps()).isEqualTo(1);
        assertThat(heard).containsExactly(onPresence);
        eventually(() -> snapshotRequests.get() == 1, "the node asks every node for a snapshot");

        Gap onAll = new Gap("chat:all", Position.NONE, Position.NONE, "reconnected");
        injecting.subscribers.get("chat:all").onGap(onAll);
        assertThat(node.stats().gaps()).isEqualTo(2);
        assertThat(heard).containsExactly(onPresence, onAll);
        join(node.send(Target.all(), "after", 1));
        eventually(() -> client.calls.contains("after[1]"), "the node keeps delivering after gaps");
        assertThat(snapshotRequests.get()).as("snapshot requests (a gap on a send channel asks for none)").isEqualTo(1);
    }

    @Test
    void aGroupJoinWhoseSubscribeFailedIsUndoneAndLeavesOtherMembersSubscribed() throws Exception {
        Injecting injecting = new Injecting(backplane());
        HubNode node = opened(HubNode.start(injecting, options));
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        HubConnection c1 = join(node.connect(null, first));
        HubConnection c2 = join(node.connect(null, second));
        injecting.failFirstSubscribe.add("chat:group:g");
        assertThat(failure(node.addToGroup(c1.id(), "g"))).isInstanceOf(HubException.class)
                .hasMessageContaining("subscribe refused for the test");
        eventually(() -> node.presence().connections().contains(c1.id()), "presence shows c1");
        join(node.addToGroup(c2.id(), "g"));
        eventually(() -> node.presence().groupMembers("g").equals(Set.of(c2.id())),
                "presence shows only c2 in g (the failed join was taken back)");
        // Before the fix, c1's failed join kept a membership whose release, on disconnect, closed
        // the subscription c2 relied on.
        assertThat(node.disconnect(c1.id())).isTrue();
        join(node.send(Target.group("g"), "m", "still"));
        eventually(() -> second.calls.contains("m[\"still\"]"), "c2 still receives group sends");
        assertThat(first.calls).isEmpty();
    }

    @Test
    void aRequestForANodeNoOneHasHeardOfFailsAtTheEndOfTheStartUpWindowNotAfterItsTimeout() throws Exception {
        HubContext ctx = opened(HubContext.open(backplane(), options.withCommandTimeout(Duration.ofMinutes(5))));
        String noSuchNode = "zzzzzzzzzzzz.AAAAAAAAAAAAAAAA";
        assertThat(failure(ctx.addToGroup(noSuchNode, "g"))).isInstanceOf(UnknownConnectionException.class)
                .hasMessageContaining("zzzzzzzzzzzz");
        assertThat(failure(ctx.invokeJson(noSuchNode, Duration.ofMinutes(5), "ask")))
                .isInstanceOf(UnknownConnectionException.class);
    }

    @Test
    void aRequestToALiveNodeMadeRightAfterStartSucceeds() throws Exception {
        HubNode node = opened(HubNode.start(backplane(), options));
        Recorder client = new Recorder();
        HubConnection c = join(node.connect(null, client));
        HubContext fresh = opened(HubContext.open(backplane(), options));
        join(fresh.addToGroup(c.id(), "g")); // may be sent before the context heard of the node
        join(fresh.send(Target.group("g"), "m", 1));
        eventually(() -> client.calls.contains("m[1]"), "the group send arrives");
    }

    @Test
    void whatTheBrokerDoesNotTakeFailsTheCallersFuture() throws Exception {
        HubNode node = opened(HubNode.start(backplane(), options));
        HubConnection c = join(node.connect(null, new Recorder()));
        Backplane senderBackplane = backplane();
        HubContext ctx = opened(HubContext.open(senderBackplane, options));
        eventually(() -> ctx.presence().nodes().contains(node.nodeId()), "the context sees the node");
        senderBackplane.close(); // from now on every publish is refused
        assertThat(failure(ctx.send(Target.all(), "m", 1))).isInstanceOf(IllegalStateException.class);
        assertThat(failure(ctx.addToGroup(c.id(), "g"))).isInstanceOf(HubException.class)
                .hasMessageContaining("the broker did not take the request");
        assertThat(failure(ctx.invokeJson(c.id(), Duration.ofMinutes(1), "ask"))).isInstanceOf(HubException.class)
                .hasMessageContaining("the broker did not take the request");
    }

    @Test
    void closeFailsWaitingRequestsTellsSinksAndStopsThreads() throws Exception {
        HubNode node = HubNode.start(backplane(), options);
        Recorder silent = new Recorder(); // records the invocation, never answers
        HubConnection c = join(node.connect(null, silent));
        HubContext ctx = HubContext.open(backplane(), options);
        eventually(() -> ctx.presence().nodes().contains(node.nodeId()), "the context sees the node");
        CompletableFuture<byte[]> waiting = ctx.invokeJson(c.id(), Duration.ofMinutes(1), "ask");
        eventually(() -> silent.calls.contains("invoke ask"), "the invocation reaches the client");
        ctx.close();
        assertThat(failure(waiting)).isInstanceOf(HubException.class).hasMessageContaining("was closed");
        node.close();
        eventually(() -> "disconnected".equals(silent.calls.get(silent.calls.size() - 1)), "the sink is told");
        assertThat(silent.disconnectedReason).contains("was closed");
        assertThat(((HubEngine) ctx).threadsShutDown()).isTrue();
        assertThat(((HubEngine) node).threadsShutDown()).isTrue();
    }
}
