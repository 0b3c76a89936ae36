package dev.backplane.chaos;

import java.time.Duration;
import java.util.List;

/**
 * One chaos run: where, how much load, and which faults when.
 *
 * @param transport the transport under test
 * @param scenario the scenario's name, for the report
 * @param nodes hub node processes
 * @param clientsPerNode connections on each node, each in one of {@code groups} groups
 * @param groups how many groups the clients are spread over
 * @param rate sends a second, numbered, each to a group (and, when {@code allEvery} is not 0, one in
 *     {@code allEvery} to all)
 * @param allEvery every how many sends one goes to all connections; 0 for none
 * @param duration how long the sender sends
 * @param heartbeat the hub nodes' heartbeat interval
 * @param outages the faults: each {@link Fault} at {@code at} after the start of sending, over (the
 *     broker started again or resumed, the partition healed, the node resumed) {@code length} later
 * @param sampleEvery how often each node's live heap, threads and file descriptors are sampled
 *     ({@link Duration#ZERO}: never)
 * @param steady how long the broker serves undisturbed before each fault and after the last one
 *     (a fault comes at its {@code at} or this long after the one before, whichever is later; the
 *     sender goes on at least this long after the last): what shows that delivery recovered
 */
record ChaosSettings(String transport, String scenario, int nodes, int clientsPerNode, int groups, int rate,
        int allEvery, Duration duration, Duration heartbeat, List<Outage> outages, Duration sampleEvery,
        Duration steady) {

    /** The steady stretch of {@code bin/chaos} runs. */
    static final Duration STEADY = Duration.ofSeconds(10);

    /** A run with the steady stretch of {@code bin/chaos} runs. */
    ChaosSettings(String transport, String scenario, int nodes, int clientsPerNode, int groups, int rate,
            int allEvery, Duration duration, Duration heartbeat, List<Outage> outages, Duration sampleEvery) {
        this(transport, scenario, nodes, clientsPerNode, groups, rate, allEvery, duration, heartbeat, outages,
                sampleEvery, STEADY);
    }

    /** A run that does not sample its nodes' resources. */
    ChaosSettings(String transport, String scenario, int nodes, int clientsPerNode, int groups, int rate,
            int allEvery, Duration duration, Duration heartbeat, List<Outage> outages) {
        this(transport, scenario, nodes, clientsPerNode, groups, rate, allEvery, duration, heartbeat, outages, Duration.ZERO);
    }

    /** What goes wrong in an outage: to the broker, or to the last node (the target) alone. */
    enum Fault {
        /** SIGKILL, and a new broker process on the same address and data at the end: a crash. */
        KILL,
        /** SIGSTOP, and SIGCONT at the end: a hung broker, whose sockets stay open and which answers nothing. */
        PAUSE,
        /**
         * The network between the target node and the broker drops everything, both ways, on the
         * connections there are and on new ones, until the end; the other nodes and the sender still reach
         * the broker. Each node reaches the broker through a TCP proxy of its own.
         */
        PARTITION,
        /** SIGSTOP of the target node's process, SIGCONT at the end: a node frozen (a long GC pause, a stopped VM). */
        NODE_PAUSE,
        /** SIGKILL of the target node's process, which stays down: the others must declare it dead. */
        NODE_KILL;

        /** Whether it happens to the broker (and so explains failed sends), not to one node. */
        boolean ofBroker() {
            return this == KILL || this == PAUSE;
        }
    }

    /** One outage: {@code fault} at {@code at}, over {@code length} later. */
    record Outage(Fault fault, Duration at, Duration length) {
        Outage(Duration at, Duration length) {
            this(Fault.KILL, at, length);
        }
    }

    /** The same run with another steady stretch. */
    ChaosSettings withSteady(Duration steady) {
        return new ChaosSettings(transport, scenario, nodes, clientsPerNode, groups, rate, allEvery, duration, heartbeat,
                outages, sampleEvery, steady);
    }

    /** Whether a fault of this run happens to the target node. */
    boolean targetsANode() {
        return outages.stream().anyMatch(o -> !o.fault().ofBroker());
    }

    /** Whether the nodes reach the broker through proxies that can partition them. */
    boolean proxied() {
        return outages.stream().anyMatch(o -> o.fault() == Fault.PARTITION);
    }

    /** How long a publish may take before it fails: also the backplanes' {@code publishTimeout}. */
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);

    /** The names {@link #named} knows. */
    static final List<String> SCENARIOS = List.of("kill", "outage", "pause", "load", "partition", "node-pause", "node-kill",
            "soak");

    /** The named scenarios of {@code bin/chaos}. */
    static ChaosSettings named(String scenario, String transport, Duration duration, int rate) {
        return switch (scenario) {
            // The hardening scenario: 3 nodes, steady sends, the broker killed and restarted three times.
            case "kill" -> new ChaosSettings(transport, scenario, 3, 10, 7, rate, 10, duration, Duration.ofSeconds(1),
                    List.of(new Outage(duration.multipliedBy(2).dividedBy(10), Duration.ofSeconds(1)),
                            new Outage(duration.multipliedBy(5).dividedBy(10), Duration.ofSeconds(1)),
                            new Outage(duration.multipliedBy(8).dividedBy(10), Duration.ofSeconds(1))));
            // One outage of ten seconds, longer than the death bound: no node may be declared dead.
            case "outage" -> new ChaosSettings(transport, scenario, 3, 10, 7, rate, 10, duration, Duration.ofSeconds(1),
                    List.of(new Outage(duration.dividedBy(4), Duration.ofSeconds(10))));
            // A hung broker: paused for longer than every timeout (publish, connect, the death bound), then
            // for less than any of them.
            case "pause" -> new ChaosSettings(transport, scenario, 3, 10, 7, rate, 10, duration, Duration.ofSeconds(1),
                    List.of(new Outage(Fault.PAUSE, duration.dividedBy(4), Duration.ofSeconds(8)),
                            new Outage(Fault.PAUSE, duration.multipliedBy(7).dividedBy(10), Duration.ofSeconds(2))));
            // Hub load without faults: 4 nodes, 10,000 connections in 100 groups, every send to one group.
            case "load" -> new ChaosSettings(transport, scenario, 4, 2500, 100, rate, 0, duration,
                    Duration.ofSeconds(1), List.of());
            // The last node cut off from the broker, longer than the death bound, then shorter; the others
            // go on. The cut-off node must declare nobody dead, and (at least once) miss nothing once healed.
            case "partition" -> {
                if (transport.startsWith("redis-cluster")) {
                    throw new IllegalArgumentException("the partition scenario runs on redis, redis-streams, nats and "
                            + "jetstream: a Redis Cluster's clients connect to the node addresses it announces, which "
                            + "a proxy in front of one seed does not change");
                }
                if (transport.equals("kafka")) {
                    throw new IllegalArgumentException("the partition scenario runs on redis, redis-streams, nats and "
                            + "jetstream: Kafka clients connect to the addresses the broker advertises, which a proxy "
                            + "in front of its bootstrap address does not change");
                }
                yield new ChaosSettings(transport, scenario, 3, 10, 7, rate, 10, duration, Duration.ofSeconds(1),
                        List.of(new Outage(Fault.PARTITION, duration.dividedBy(4), Duration.ofSeconds(8)),
                                new Outage(Fault.PARTITION, duration.multipliedBy(7).dividedBy(10), Duration.ofSeconds(2))));
            }
            // The last node frozen, longer than the death bound, then shorter: once it runs again it must
            // declare nobody dead for the silence it slept through, and come back into presence.
            case "node-pause" -> new ChaosSettings(transport, scenario, 3, 10, 7, rate, 10, duration, Duration.ofSeconds(1),
                    List.of(new Outage(Fault.NODE_PAUSE, duration.dividedBy(4), Duration.ofSeconds(8)),
                            new Outage(Fault.NODE_PAUSE, duration.multipliedBy(7).dividedBy(10), Duration.ofSeconds(2))));
            // A long run: steady sends, the broker killed once a minute, every node's live heap, threads and
            // file descriptors sampled every 10 s; what grows from the first samples to the last is a leak.
            case "soak" -> {
                List<Outage> kills = new java.util.ArrayList<>();
                for (Duration at = Duration.ofSeconds(30); at.plusSeconds(30).compareTo(duration) <= 0; at = at.plusMinutes(1)) {
                    kills.add(new Outage(at, Duration.ofSeconds(1)));
                }
                yield new ChaosSettings(transport, scenario, 3, 10, 7, rate, 10, duration, Duration.ofSeconds(1), kills,
                        Duration.ofSeconds(10));
            }
            // The last node killed: every other node must declare it dead, and lose nothing itself.
            case "node-kill" -> new ChaosSettings(transport, scenario, 3, 10, 7, rate, 10, duration, Duration.ofSeconds(1),
                    List.of(new Outage(Fault.NODE_KILL, duration.multipliedBy(3).dividedBy(10), Duration.ZERO)));
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario
                    + "'; known: " + String.join(", ", SCENARIOS));
        };
    }
}
