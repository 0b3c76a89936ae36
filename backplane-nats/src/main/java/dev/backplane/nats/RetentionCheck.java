package dev.backplane.nats;

import dev.backplane.Gap;
import dev.backplane.Position;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.MessageGetRequest;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Whether a subscription to one channel lost messages to the stream's retention: at the start of
 * a replay (the position is before what the stream retains, or beyond its end) and when a delivery
 * skips stream sequences.
 *
 * <p>Stream sequences are shared by every channel of the prefix, so a skip is normal: the
 * sequences in between are other channels' messages. Only retention can remove one of this
 * channel's messages before the subscription reads it, and each kind of retention leaves a trace
 * that is checked without asking the server, so that a skip costs nothing unless the stream is
 * under that pressure:
 * <ul>
 *   <li>age ({@code maxAge}) removes messages older than the limit: only a subscription whose last
 *       message is that old (within a tenth of the limit, for clock differences) can lose one;</li>
 *   <li>a per-channel limit ({@code maxMsgsPerSubject}) removes the channel's own oldest messages:
 *       only a subscription at least that many of its channel's messages behind can lose one (the
 *       delivery's pending count says how far behind it is);</li>
 *   <li>message and byte limits ({@code maxMessages}, {@code maxBytes}) remove from the front of
 *       the stream whatever the channel: with them, every skip is checked against the stream's
 *       first sequence.</li>
 * </ul>
 * A check reads the stream's state (shared by the backplane's subscriptions) taken after the
 * delivery arrived: if its first sequence is still at or before the one after the last delivery,
 * nothing in between was removed. A reading that fails is made again, never reported as a loss.
 */
final class RetentionCheck {

    private final JetStreamApi api;
    private final String stream;
    private final String subject;
    private final FreshReading<StreamInfo> streamInfo;
    private final FreshReading<Long> oldestOfSubject;

    /** @param streamInfo the stream's state, shared by the backplane's subscriptions */
    RetentionCheck(JetStreamApi api, String stream, String subject, FreshReading<StreamInfo> streamInfo,
            FreshReading<Long> oldestOfSubject) {
        this.api = api;
        this.stream = stream;
        this.subject = subject;
        this.streamInfo = streamInfo;
        this.oldestOfSubject = oldestOfSubject;
    }

    /** The first stream sequence of {@code subject} (0 if it holds none), read through {@code api}. */
    static CompletableFuture<Long> oldestOf(JetStreamApi api, String stream, String subject) {
        return api.request("STREAM.MSG.GET." + stream, MessageGetRequest.firstForSubject(subject).toJson())
                .thenApply(message -> {
                    MessageInfo info = new MessageInfo(message, stream, false);
                    if (info.hasError() && (info.getErrorCode() == 404 || info.getApiErrorCode() == 10037)) {
                        return 0L;
                    }
                    return throwing(() -> info.throwOnHasError().getSeq());
                });
    }

    /** The stream's state, read through {@code api}. */
    static CompletableFuture<StreamInfo> streamInfo(JetStreamApi api, String stream, String body) {
        return api.request("STREAM.INFO." + stream, body).thenApply(RetentionCheck::parseInfo);
    }

    private static StreamInfo parseInfo(Message message) {
        return throwing(() -> new StreamInfo(message).throwOnHasError());
    }

    /**
     * The gap before the delivery of {@code sequence}, when the last delivery was {@code previous}:
     * null when no retention can have removed anything of the channel in between (deliver at once),
     * else a future of the answer, read after {@code receivedAt}.
     *
     * @param previousMillis when {@code previous} was stored (server clock), 0 if unknown
     * @param pendingAfter the channel's messages after {@code sequence} when it was sent
     * @param receivedAt when the delivery arrived ({@link System#nanoTime()})
     */
    CompletableFuture<Optional<Gap>> gapBefore(String channel, long previous, long previousMillis, long sequence,
            long pendingAfter, long receivedAt) {
        if (sequence <= previous + 1) {
            return null;
        }
        StreamInfo known = streamInfo.latest();
        if (known != null) {
            StreamConfiguration limits = known.getConfiguration();
            boolean fromTheFront = limits.getMaxMsgs() > 0 || limits.getMaxBytes() > 0
                    || oldEnough(limits, previousMillis);
            boolean ownLimit = limits.getMaxMsgsPerSubject() > 0 && 1 + pendingAfter >= limits.getMaxMsgsPerSubject();
            if (!fromTheFront && !ownLimit) {
                return null;
            }
        }
        return streamInfo.after(receivedAt).thenCompose(
                info -> gapBefore(channel, previous, sequence, pendingAfter, receivedAt, info));
    }

    private CompletableFuture<Optional<Gap>> gapBefore(String channel, long previous, long sequence,
            long pendingAfter, long receivedAt, StreamInfo info) {
        StreamConfiguration limits = info.getConfiguration();
        long first = info.getStreamState().getFirstSequence();
        if (first > previous + 1) {
            return CompletableFuture.completedFuture(Optional.of(gap(channel, previous, sequence, "stream sequences "
                    + (previous + 1) + " to " + (Math.min(first, sequence) - 1) + " of stream '" + stream
                    + "' were removed by its retention (" + limits(info) + ") before this subscription read them; "
                    + "some may have been this channel's")));
        }
        long perSubject = limits.getMaxMsgsPerSubject();
        if (perSubject <= 0 || 1 + pendingAfter < perSubject) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return oldestOfSubject.after(receivedAt).thenApply(oldest -> oldest == 0 || oldest > previous + 1
                ? Optional.of(gap(channel, previous, sequence, "channel '" + channel + "' held its limit of "
                        + perSubject + " messages (maxMsgsPerSubject) of stream '" + stream + "' and its messages "
                        + "before stream sequence " + (oldest == 0 ? sequence : oldest) + " were removed; some after "
                        + previous + " may have been removed before this subscription read them"))
                : Optional.empty());
    }

    private static boolean oldEnough(StreamConfiguration limits, long previousMillis) {
        Duration maxAge = limits.getMaxAge();
        if (maxAge == null || maxAge.isZero() || maxAge.isNegative()) {
            return false;
        }
        if (previousMillis <= 0) {
            return true;
        }
        long margin = maxAge.toMillis() / 10;
        return System.currentTimeMillis() - previousMillis >= maxAge.toMillis() - margin;
    }

    /** Where a replay or a resume after {@code after} starts, and the gap it starts with, if any. */
    record Start(long next, Optional<Gap> gap) {
    }

    /**
     * Where reading after {@code after} (0 for {@link Position#EARLIEST}) starts, given the stream's
     * state {@code info} read just before: right after it, after the gap retention left, or, for a
     * position beyond the stream's end (another prefix's, or from before the broker lost its data),
     * at the first message retained, after a gap that says so.
     */
    CompletableFuture<Start> startAfter(String channel, long after, StreamInfo info) {
        StreamState state = info.getStreamState();
        long first = state.getFirstSequence();
        long last = state.getLastSequence();
        if (after > last) {
            long resumesAt = state.getMsgCount() > 0 ? first : 0;
            return CompletableFuture.completedFuture(new Start(Math.max(first, 1), Optional.of(gap(channel, after,
                    resumesAt, "position " + after + " is beyond the end of stream '" + stream + "' (last sequence "
                            + last + "): it is from another stream, or the stream lost messages (a broker that came "
                            + "back without its data); every message the stream retains is replayed"))));
        }
        if (last > 0 && first > after + 1) {
            return CompletableFuture.completedFuture(new Start(first, Optional.of(gap(channel, after,
                    state.getMsgCount() > 0 ? first : 0, "stream sequences " + (after + 1) + " to " + (first - 1)
                            + " of stream '" + stream + "' are no longer retained (" + limits(info) + ")"))));
        }
        long perSubject = info.getConfiguration().getMaxMsgsPerSubject();
        if (perSubject <= 0 || last <= after) {
            return CompletableFuture.completedFuture(new Start(after + 1, Optional.empty()));
        }
        return streamInfo(api, stream, "{\"subjects_filter\":\"" + subject + "\"}").thenCompose(ofSubject -> {
            long held = ofSubject.getStreamState().getSubjectMap().getOrDefault(subject, 0L);
            if (held < perSubject) {
                return CompletableFuture.completedFuture(new Start(after + 1, Optional.empty()));
            }
            return oldestOf(api, stream, subject).thenApply(oldest -> oldest > after + 1
                    ? new Start(oldest, Optional.of(gap(channel, after, oldest, "channel '" + channel + "' holds its "
                            + "limit of " + perSubject + " messages (maxMsgsPerSubject) from stream sequence " + oldest
                            + " on; older ones after the position may have been removed")))
                    : new Start(after + 1, Optional.empty()));
        });
    }

    /** The stream's retention limits, as its options name them. */
    private static String limits(StreamInfo info) {
        StreamConfiguration config = info.getConfiguration();
        List<String> limits = new ArrayList<>();
        if (config.getMaxMsgs() > 0) {
            limits.add("maxMessages=" + config.getMaxMsgs());
        }
        if (config.getMaxBytes() > 0) {
            limits.add("maxBytes=" + config.getMaxBytes());
        }
        if (config.getMaxAge() != null && !config.getMaxAge().isZero()) {
            limits.add("maxAge=" + config.getMaxAge());
        }
        if (config.getMaxMsgsPerSubject() > 0) {
            limits.add("maxMsgsPerSubject=" + config.getMaxMsgsPerSubject());
        }
        return limits.isEmpty() ? "no limit configured now" : String.join(", ", limits);
    }

    private static Gap gap(String channel, long after, long resumedAt, String reason) {
        return new Gap(channel, after == 0 ? Position.EARLIEST : JetStreamBackplane.position(after),
                resumedAt > 0 ? JetStreamBackplane.position(resumedAt) : Position.NONE, reason);
    }

    private interface ApiCall<T> {
        T call() throws JetStreamApiException;
    }

    private static <T> T throwing(ApiCall<T> call) {
        try {
            return call.call();
        } catch (JetStreamApiException e) {
            throw new CompletionException(e);
        }
    }
}
