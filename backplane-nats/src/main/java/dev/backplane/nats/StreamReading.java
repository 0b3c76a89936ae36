package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import io.nats.client.Dispatcher;
import io.nats.client.api.StreamInfo;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the subscriptions of one JetStream backplane share.
 *
 * @param config the backplane's configuration: ack timeout, {@code maxUnacknowledged}, the callback executor
 * @param link the connection
 * @param api JetStream API requests
 * @param dispatcher receives every subscription's deliveries (one jnats thread, which only hands them on)
 * @param stream the stream's name
 * @param streamInfo the stream's state, read on demand for all subscriptions
 * @param scheduler times retries (never runs user code or blocking work)
 * @param io runs what a retry or an answer leads to, steps that never block: one lane for all
 *     subscriptions, on the client's I/O threads
 */
record StreamReading(
        BackplaneConfig config,
        NatsLink link,
        JetStreamApi api,
        Dispatcher dispatcher,
        String stream,
        FreshReading<StreamInfo> streamInfo,
        ScheduledExecutorService scheduler,
        Executor io) {
}
