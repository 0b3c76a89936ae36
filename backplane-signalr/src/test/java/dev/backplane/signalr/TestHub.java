package dev.backplane.signalr;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.stream.IntStream;

/** The hub every client test talks to: one method per feature. */
public class TestHub extends Hub {

    /** The endpoints of the nodes a test started, for the fault drills. */
    static final List<SignalREndpoint> ENDPOINTS = new CopyOnWriteArrayList<>();
    static final List<String> DISCONNECTS = new CopyOnWriteArrayList<>();
    static final List<String> CANCELLED = new CopyOnWriteArrayList<>();
    private static final java.util.concurrent.ExecutorService STREAM_THREADS =
            java.util.concurrent.Executors.newCachedThreadPool(new dev.backplane.spi.DaemonThreads("test-stream"));

    @Override
    public void onConnected() {
        context().items().put("connectedAt", System.nanoTime());
    }

    @Override
    public void onDisconnected(Throwable error) {
        DISCONNECTS.add(context().connectionId());
    }

    public String echo(String text) {
        return text;
    }

    public int add(int a, int b) {
        return a + b;
    }

    public Map<String, Object> whoAmI() {
        return Map.of("connectionId", context().connectionId(),
                "userId", context().userId() == null ? "" : context().userId(),
                "connected", context().items().containsKey("connectedAt"));
    }

    public void broadcast(String text) {
        clients().all().send("broadcast", context().connectionId(), text).join();
    }

    public void toOthers(String text) {
        clients().others().send("others", text).join();
    }

    public void join(String group) {
        groups().add(context().connectionId(), group).join();
    }

    public void leave(String group) {
        groups().remove(context().connectionId(), group).join();
    }

    public void sendToGroup(String group, String text) {
        clients().group(group).send("groupMessage", group, text).join();
    }

    public void sendToOthersInGroup(String group, String text) {
        clients().othersInGroup(group).send("groupMessage", group, text).join();
    }

    public void sendToUser(String user, String text) {
        clients().user(user).send("userMessage", text).join();
    }

    public void sendToConnection(String connectionId, String text) {
        clients().client(connectionId).send("direct", text).join();
    }

    /** Sends {@code count} numbered messages to a user, in order. */
    public void sendNumbered(String user, String sender, int count) {
        for (int i = 0; i < count; i++) {
            clients().user(user).send("numbered", sender, i).join();
        }
    }

    public CompletionStage<String> askClient(String connectionId, String question) {
        return clients().client(connectionId).invoke(String.class, Duration.ofSeconds(10), "ask", question);
    }

    /** Counts from 0, one item every {@code delayMillis}; stops when its subscriber cancels. */
    public Flow.Publisher<Integer> counter(int count, int delayMillis) {
        return subscriber -> {
            // Threads of its own: the common pool has one thread on a 2-core machine.
            SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>(STREAM_THREADS, 256);
            publisher.subscribe(subscriber);
            STREAM_THREADS.execute(() -> {
                try {
                    for (int i = 0; i < count; i++) {
                        if (delayMillis > 0) {
                            Thread.sleep(delayMillis);
                        }
                        if (publisher.getNumberOfSubscribers() == 0) {
                            CANCELLED.add("counter");
                            return;
                        }
                        publisher.submit(i);
                    }
                    publisher.close();
                } catch (InterruptedException e) {
                    publisher.closeExceptionally(e);
                }
            });
        };
    }

    /** How many counters stopped because their subscriber cancelled. */
    public int cancelledCounters() {
        return CANCELLED.size();
    }

    public Iterator<Integer> countdown(int from) {
        return IntStream.iterate(from, i -> i > 0, i -> i - 1).iterator();
    }

    public CompletionStage<Integer> sum(Flow.Publisher<Integer> numbers) {
        CompletableFuture<Integer> total = new CompletableFuture<>();
        numbers.subscribe(new Flow.Subscriber<>() {
            private int sum;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Integer item) {
                sum += item;
            }

            @Override
            public void onError(Throwable t) {
                total.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                total.complete(sum);
            }
        });
        return total;
    }

    public String concat(Iterator<String> parts) {
        StringBuilder out = new StringBuilder();
        parts.forEachRemaining(out::append);
        return out.toString();
    }

    public int length(byte[] data) {
        return data.length;
    }

    public int slow(int millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    public void fail(String message) {
        throw new HubMethodException(message);
    }

    public void crash() {
        throw new IllegalStateException("secret internal detail");
    }

    @Authorize(roles = "admin")
    public String adminOnly() {
        return "admin ok";
    }

    /**
     * Fault drill of stateful reconnect: frames to the caller are lost on the way from now on;
     * {@code remote} numbered messages to {@code user} come from another node through the backplane
     * and {@code local} from this one; then the caller's transport fails without a close.
     */
    public void loseWritesWhileNodesSend(String user, int remote, int local) {
        String me = context().connectionId();
        SignalREndpoint mine = ENDPOINTS.stream().filter(e -> e.connectionIds().contains(me)).findFirst()
                .orElseThrow();
        SignalREndpoint other = ENDPOINTS.stream().filter(e -> e != mine).findFirst().orElseThrow();
        mine.loseWrites(me);
        for (int i = 0; i < remote; i++) {
            other.hubContext().clients().user(user).send("numbered", "remote", i).join();
        }
        for (int i = 0; i < local; i++) {
            clients().user(user).send("numbered", "local", i).join();
        }
        mine.dropTransport(me);
    }

    /** Fault drill: the transport of a connection on any node of this JVM fails without a close. */
    public boolean dropConnection(String connectionId) {
        boolean dropped = false;
        for (SignalREndpoint e : ENDPOINTS) {
            dropped |= e.dropTransport(connectionId);
        }
        return dropped;
    }
}
