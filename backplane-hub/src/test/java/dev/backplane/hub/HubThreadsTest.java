package dev.backplane.hub;

import static dev.backplane.hub.Waiting.eventually;
import static dev.backplane.hub.Waiting.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where the hub runs user code and with how many threads: hub futures complete on the callback
 * executor (never on the hub's timer, nor on the delivery that brought an answer), and sinks are
 * served by a fixed number of threads whatever the number of connections.
 */
class HubThreadsTest {

    private final MemoryHubs hubs = new MemoryHubs();
    private final HubOptions options = MemoryHubs.OPTIONS;

    @AfterEach
    void closeAll() throws Exception {
        hubs.close();
    }

    private HubNode node(HubOptions o) {
        return hubs.node(o);
    }

    @Test
    void aCallbackThatBlocksOnATimedOutInvocationDoesNotStopTheNodesHeartbeat() throws Exception {
        HubNode a = node(options);
        HubNode b = node(options);
        eventually(() -> b.presence().nodes().contains(a.nodeId()) && a.presence().nodes().contains(b.nodeId()),
                "a and b see each other");
        HubConnection silent = join(b.connect("s", new ConnectionSink() {
            @Override
            public void send(HubMessage message) {
            }

            @Override
            public void invoke(HubInvocation invocation) {
                // never answers: the caller's timeout decides
            }
        }));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        // The invocation times out on a's side; what is chained on it blocks for six death bounds.
        a.invokeJson(silent.id(), Duration.ofMillis(50), "ask").whenComplete((v, e) -> {
            entered.countDown();
            await(release);
        });
        try {
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("the timeout fired").isTrue();
            long until = System.nanoTime() + options.deathBound().multipliedBy(6).toNanos();
            while (System.nanoTime() < until) {
                assertThat(b.presence().nodes()).as("b's view while a callback on a's future blocks: a must stay alive "
                        + "(its heartbeat must not wait for user code)").contains(a.nodeId());
                Thread.sleep(20);
            }
            assertThat(b.stats().nodesDeclaredDead()).isZero();
        } finally {
            release.countDown();
        }
    }

    @Test
    void aCallbackOnAGroupCommandMayIssueAnotherAndWaitForIt() throws Exception {
        HubNode a = node(options);
        HubNode b = node(options);
        eventually(() -> a.presence().nodes().contains(b.nodeId()), "a sees b");
        HubConnection remote = join(b.connect("r", message -> { }));
        // The second command's answer comes on the same inbox as the first's: it must not wait behind this callback.
        CompletableFuture<Void> chained = a.addToGroup(remote.id(), "g1")
                .thenRun(() -> a.addToGroup(remote.id(), "g2").join());
        join(chained);
        eventually(() -> a.presence().groupMembers("g2").contains(remote.id()), "the second command applied");
    }

    @Test
    void sinksAreServedByTheConfiguredNumberOfThreadsWhateverTheNumberOfConnections() throws Exception {
        HubNode node = node(options.withSinkThreads(3));
        Set<String> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger delivered = new AtomicInteger();
        for (int i = 0; i < 500; i++) {
            join(node.connect(null, message -> {
                threads.add(Thread.currentThread().getName());
                sleepMillis(1); // a sink that takes a little while, so that many are busy at once
                delivered.incrementAndGet();
            }));
        }
        for (int i = 0; i < 10; i++) {
            join(node.send(Target.all(), "m", i));
        }
        eventually(() -> delivered.get() == 5000, "all 5000 deliveries");
        assertThat(threads).as("threads that called sinks").hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void aSendLargerThanTheBackplaneTakesFailsAtTheCall() {
        HubNode node = hubs.opened(HubNode.start(hubs.backplane("?maxPayload=2048"), options));
        String big = "x".repeat(4000);
        assertThatThrownBy(() -> node.send(Target.all(), "m", big))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("over the largest payload the backplane takes (2048 bytes");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
