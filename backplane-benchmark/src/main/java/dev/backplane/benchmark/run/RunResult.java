package dev.backplane.benchmark.run;

import dev.backplane.benchmark.measure.LatencySummary;

/**
 * One measured run of one point on one side (backplane or raw client).
 *
 * @param run the run number (1, 2, 3...)
 * @param targetRate messages per second asked for, 0 for as fast as the window allows
 * @param sent messages sent (for a hub workload: sends, each to one group)
 * @param expected deliveries owed: every message to every subscribing node (or every member of its group)
 * @param delivered distinct deliveries made
 * @param lost {@code expected - delivered}: owed and not delivered by the end of the run
 * @param duplicates deliveries of a message a node already had
 * @param gaps possible losses the client itself reported (backplane gaps, slow-consumer drops)
 * @param sequenceBreaks deliveries that were not the next of their publisher on their channel
 * @param publishFailures sends that failed
 * @param lastFailure the last failure's message, or null
 * @param disconnects hub workloads: connections the hub disconnected as too slow
 * @param stalled true if the run ended early because nothing was delivered while the window was full
 * @param sendSeconds how long the sending took
 * @param elapsedSeconds from the first send to the last delivery
 * @param sendRate messages sent per second
 * @param messageRate distinct messages delivered per second per subscribing node (the throughput)
 * @param deliveryRate distinct deliveries per second, all nodes (or connections) together
 * @param latency from each message's intended send time to its delivery
 * @param allocatedBytesPerDelivery bytes allocated in the benchmark's JVM per delivery, or -1 if unknown
 */
public record RunResult(int run, double targetRate, long sent, long expected, long delivered, long lost, long duplicates,
        long gaps, long sequenceBreaks, long publishFailures, String lastFailure, long disconnects, boolean stalled,
        double sendSeconds, double elapsedSeconds, double sendRate, double messageRate, double deliveryRate,
        LatencySummary latency, double allocatedBytesPerDelivery) {

    /** Whether anything went wrong in this run: loss, duplicates, gaps, failures, a stall. */
    public boolean troubled() {
        return lost > 0 || duplicates > 0 || gaps > 0 || publishFailures > 0 || disconnects > 0 || stalled;
    }
}
