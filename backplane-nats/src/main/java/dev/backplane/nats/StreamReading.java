package dev.backplane.nats;

import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamInfo;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the subscriptions of one JetStream backplane share: the client, the stream, and the threads.
 *
 * @param heartbeat how often an idle consumer sends a heartbeat; three missed ones make jnats
 *     re-create it
 * @param deliveryPool runs deliveries, one subscription at a time each
 * @param io runs blocking JetStream requests
 * @param timer runs ack timeouts and retries
 * @param streamInfo the stream's state, read at most a few times a second for all subscriptions
 * @param maxBacklog deliveries a subscription holds unacknowledged before it stops reading
 */
record StreamReading(
        JetStream js,
        JetStreamManagement jsm,
        Dispatcher dispatcher,
        String stream,
        Duration heartbeat,
        Duration ackTimeout,
        Executor deliveryPool,
        Executor io,
        ScheduledExecutorService timer,
        FreshReading<StreamInfo> streamInfo,
        int maxBacklog) {
}
