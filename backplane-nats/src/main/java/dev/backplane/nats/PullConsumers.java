package dev.backplane.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.NUID;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerCreateRequest;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The pull consumers the backplane reads through: ephemeral, in memory, acknowledging nothing on the
 * server, dropped by the server after {@link #INACTIVE_THRESHOLD} if nobody pulls (this process
 * died, say). Shared by {@link StreamTail} and {@link StreamSubscription}.
 */
final class PullConsumers {

    /**
     * How often the server signals that a waiting pull request is alive, and how long one waits. A
     * consumer lives on one server (it is in memory, one replica): when that server dies, as in a
     * cluster whose other servers carry on, nothing answers the request and the connection stays
     * up, so silence is the only sign; after {@link #SILENCE} the reader starts a new consumer.
     */
    static final Duration PULL_HEARTBEAT = Duration.ofSeconds(1);
    static final Duration PULL_EXPIRES = Duration.ofSeconds(30);
    static final Duration SILENCE = PULL_HEARTBEAT.multipliedBy(3);

    /** How long the server keeps a consumer nobody pulls from. */
    static final Duration INACTIVE_THRESHOLD = Duration.ofMinutes(2);

    private PullConsumers() {
    }

    /** A new consumer's name. */
    static String newName() {
        return NUID.nextGlobal();
    }

    /**
     * Creates consumer {@code name} on {@code filter}, reading from stream sequence {@code next}
     * (0: what is stored from now on); completes with the server's description of it, or with the
     * server's refusal ({@link JetStreamApiException} inside a {@link CompletionException}).
     */
    static CompletableFuture<ConsumerInfo> create(StreamReading reading, String name, String filter, long next) {
        ConsumerConfiguration.Builder config = ConsumerConfiguration.builder()
                .name(name)
                .filterSubject(filter)
                .ackPolicy(AckPolicy.None)
                .inactiveThreshold(INACTIVE_THRESHOLD)
                .memStorage(true);
        if (next == 0) {
            config.deliverPolicy(DeliverPolicy.New);
        } else {
            config.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(next);
        }
        String body = new ConsumerCreateRequest(reading.stream(), config.build()).toJson();
        return reading.api().request("CONSUMER.CREATE." + reading.stream() + "." + name + "." + filter, body)
                .thenApply(PullConsumers::parse);
    }

    private static ConsumerInfo parse(Message answer) {
        try {
            return new ConsumerInfo(answer).throwOnHasError();
        } catch (JetStreamApiException e) {
            throw new CompletionException(e);
        }
    }

    /** The body of a pull request for {@code batch} messages, with its expiry and heartbeat. */
    static byte[] pullRequest(int batch) {
        return ("{\"batch\":" + batch + ",\"expires\":" + PULL_EXPIRES.toNanos() + ",\"idle_heartbeat\":"
                + PULL_HEARTBEAT.toNanos() + "}").getBytes(StandardCharsets.US_ASCII);
    }

    /** Deletes consumer {@code name}, not waiting for the answer. */
    static void delete(StreamReading reading, String name) {
        reading.api().request("CONSUMER.DELETE." + reading.stream() + "." + name, "");
    }

    /** Drops an inbox subscription of the dispatcher; nothing to do if the connection is closing. */
    static void unsubscribe(StreamReading reading, io.nats.client.Subscription inbox) {
        try {
            reading.dispatcher().unsubscribe(inbox);
        } catch (IllegalStateException e) {
            // the connection is closing: nothing left to unsubscribe
        }
    }
}
