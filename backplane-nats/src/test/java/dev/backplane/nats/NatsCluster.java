package dev.backplane.nats;

import dev.backplane.fixture.LoopbackPorts;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A NATS cluster of the test's own: three {@link NatsServerProcess}es (by default) joined by routes
 * under one cluster name, JetStream on each with its own store, every client, route and monitoring
 * port an ephemeral loopback one. A member can be killed (SIGKILL to that process only) and
 * started again on the same ports and store. {@link #awaitFormed} waits until every running
 * member has a route to every other and reports itself healthy (JetStream meta leader elected,
 * its streams current), so a test starts from a formed cluster and sees a restarted member back.
 */
final class NatsCluster implements AutoCloseable {

    private static final Pattern ROUTES = Pattern.compile("\"num_routes\"\\s*:\\s*(\\d+)");
    private static final Pattern LEADER = Pattern.compile("\"meta_cluster\"\\s*:\\s*\\{[^}]*\"leader\"\\s*:\\s*\"([^\"]+)\"");
    static final Duration FORMING = Duration.ofSeconds(60);

    private final List<NatsServerProcess> members = new ArrayList<>();

    NatsCluster() {
        this(3);
    }

    NatsCluster(int size) {
        String name = "bp-" + UUID.randomUUID().toString().substring(0, 8);
        List<Integer> routePorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            routePorts.add(LoopbackPorts.freePort());
        }
        try {
            for (int i = 0; i < size; i++) {
                int own = routePorts.get(i);
                String routes = routePorts.stream().filter(p -> p != own)
                        .map(p -> "nats-route://" + LoopbackPorts.LOOPBACK + ":" + p).collect(Collectors.joining(","));
                members.add(new NatsServerProcess(List.of("-n", name + "-" + i, "--cluster_name", name,
                        "--cluster", "nats://" + LoopbackPorts.LOOPBACK + ":" + own, "--routes", routes)));
            }
            awaitFormed();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Every member as {@code host:port,host:port,...}, the form of a NATS URI's authority. */
    String addresses() {
        return members.stream().map(NatsServerProcess::address).collect(Collectors.joining(","));
    }

    NatsServerProcess member(int index) {
        return members.get(index);
    }

    int size() {
        return members.size();
    }

    /** The member whose client port is {@code port}, by index; -1 if none. */
    int indexOfPort(int port) {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).port() == port) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The running member a client connection named {@code connectionName} is on, by its
     * monitoring's connection list; -1 if none has it.
     */
    int memberServing(String connectionName) {
        Pattern named = Pattern.compile("\"name\"\\s*:\\s*\"" + Pattern.quote(connectionName) + "\"");
        for (int i = 0; i < members.size(); i++) {
            NatsServerProcess member = members.get(i);
            try {
                if (member.running() && named.matcher(member.monitor("/connz?limit=4096")).find()) {
                    return i;
                }
            } catch (UncheckedIOException e) {
                // not answering right now: it serves nobody
            }
        }
        return -1;
    }

    /** SIGKILL to member {@code index} alone; returns once its port is closed. */
    void kill(int index) {
        members.get(index).kill();
    }

    /** Starts member {@code index} again on its ports and store, and waits until the cluster is formed again. */
    void restart(int index) {
        members.get(index).start();
        awaitFormed();
    }

    /** Starts the members that are down; waits until the cluster is formed. */
    void startAll() {
        // All at once, as a cluster comes back: one after the other, clients would land on the
        // first while the rest are still starting, and sit on servers without routes between them.
        inParallel(NatsServerProcess::start, "nats-cluster-start");
        awaitFormed();
    }

    /**
     * Stops every member at once (SIGKILL, as a crash of the whole cluster): one after the other,
     * clients of the first would move to the others and the outage would not be one.
     */
    void killAll() {
        inParallel(NatsServerProcess::kill, "nats-cluster-kill");
    }

    private void inParallel(java.util.function.Consumer<NatsServerProcess> action, String name) {
        List<Thread> threads = members.stream().map(m -> new Thread(() -> action.accept(m), name)).toList();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Waits until each running member has routes to the other running ones, knows the JetStream
     * meta leader and answers its health check with ok.
     *
     * @throws IllegalStateException naming what was missing after {@link #FORMING}
     */
    void awaitFormed() {
        long deadline = System.nanoTime() + FORMING.toNanos();
        String missing;
        while ((missing = missing()) != null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the NATS cluster " + addresses() + " did not form within " + FORMING
                        + ": " + missing);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** What keeps the cluster from being formed, or null. */
    private String missing() {
        List<NatsServerProcess> running = members.stream().filter(NatsServerProcess::running).toList();
        for (NatsServerProcess member : running) {
            try {
                Matcher routes = ROUTES.matcher(member.monitor("/routez"));
                if (!routes.find() || Integer.parseInt(routes.group(1)) < running.size() - 1) {
                    return member + " has not yet routes to the " + (running.size() - 1) + " other members";
                }
                if (!LEADER.matcher(member.monitor("/jsz")).find()) {
                    return member + " knows no JetStream meta leader";
                }
                String health = member.monitor("/healthz");
                if (!health.contains("\"ok\"")) {
                    return member + " is not healthy: " + health;
                }
            } catch (UncheckedIOException e) {
                return member + " does not answer on its monitoring port (" + e.getMessage() + ")";
            }
        }
        return null;
    }

    @Override
    public void close() {
        members.forEach(NatsServerProcess::close);
    }

    @Override
    public String toString() {
        return "NATS cluster " + addresses() + " (test's own processes)";
    }
}
