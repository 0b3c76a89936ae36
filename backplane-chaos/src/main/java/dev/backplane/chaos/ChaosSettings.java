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
 * @param outages the broker's faults: killed (or paused) at {@code at} after the start of sending,
 *     started again (or resumed) {@code length} later
 */
record ChaosSettings(String transport, String scenario, int nodes, int clientsPerNode, int groups, int rate,
        int allEvery, Duration duration, Duration heartbeat, List<Outage> outages) {

    /** What happens to the broker in an outage. */
    enum Fault {
        /** SIGKILL, and a new broker process on the same address and data at the end: a crash. */
        KILL,
        /** SIGSTOP, and SIGCONT at the end: a hung broker, whose sockets stay open and which answers nothing. */
        PAUSE
    }

    /** One outage: {@code fault} at {@code at}, over {@code length} later. */
    record Outage(Fault fault, Duration at, Duration length) {
        Outage(Duration at, Duration length) {
            this(Fault.KILL, at, length);
        }
    }

    /** How long a publish may take before it fails: also the backplanes' {@code publishTimeout}. */
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);

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
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario
                    + "'; known: kill, outage, pause, load");
        };
    }
}
